//go:build unix

package asyncio

import (
	"context"
	"net"

	"golang.org/x/sys/unix"
)

// dialFD connects a non-blocking socket to a, waiting in the loop's poller,
// and wraps it in a transport with no protocol yet.
func dialFD(ctx context.Context, l *Loop, a, local net.Addr) (transport, error) {
	family := unix.AF_INET
	switch a := a.(type) {
	case *net.TCPAddr:
		if a.IP.To4() == nil {
			family = unix.AF_INET6
		}
	case *net.UnixAddr:
		family = unix.AF_UNIX
	}
	fd, err := socket(family, unix.SOCK_STREAM)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: a.Network(), Addr: a, Err: err}
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if local != nil {
		sa, err := sockaddr(local)
		if err == nil {
			unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
			err = unix.Bind(fd, sa)
		}
		if err != nil {
			unix.Close(fd)
			return nil, &net.OpError{Op: "bind", Net: a.Network(), Source: local, Addr: a, Err: err}
		}
	}
	if err := SockConnect(ctx, fd, a); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	}
	return newFDTransport(l, fd, nil), nil
}
