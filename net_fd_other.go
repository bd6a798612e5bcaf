//go:build !unix

package asyncio

import (
	"context"
	"net"
	"os"
	"syscall"
)

// On a system that is not Unix there are no descriptors to poll: loops use
// the portable backend, and these are never reached with a poller.

func listenFD(*Server, net.Addr) (listener, error) { return nil, ErrNoPoller }

func dialFD(context.Context, *Loop, net.Addr, net.Addr) (transport, error) {
	return nil, ErrNoPoller
}

func newPipeTransport(*Loop, *os.File, Protocol, pipeEnd) (transport, error) {
	return nil, ErrNoPoller
}

func sendfileNative(context.Context, transport, *os.File, int64, int64) (int64, error) {
	return 0, errNoNativeSendfile
}

func openFDDatagram(context.Context, *Loop, datagramPair, datagramConfig) (datagramTransport, error) {
	return nil, ErrNoPoller
}

// datagramControl sets what the net package lets us on a datagram socket
// here: only SO_REUSEPORT is tried (and fails); the net package allows
// broadcast on every UDP socket.
func datagramControl(cfg datagramConfig) func(network, address string, c syscall.RawConn) error {
	if cfg.reusePort {
		return reusePortControl
	}
	return nil
}
