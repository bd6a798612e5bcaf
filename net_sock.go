//go:build unix

package asyncio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"golang.org/x/sys/unix"
)

// The Sock functions are asyncio's loop.sock_* calls: they run a socket
// operation on a non-blocking descriptor as a wait of the calling task,
// retrying it each time the loop's OS poller reports the descriptor ready.
// The descriptor must be non-blocking (SetNonblock); the loop never closes
// it. They are the low level under transports and streams; most code wants
// those instead. With a ctx that belongs to no task they return ErrNoTask:
// a plain goroutine has the net package.

// SetNonblock puts fd in non-blocking mode, as the Sock functions need.
func SetNonblock(fd int) error { return unix.SetNonblock(fd, true) }

// SockRecv reads into p from fd, waiting until some data or the end of the
// stream is there (loop.sock_recv_into). It returns the number of bytes
// read, 0 at the end of the stream.
func SockRecv(ctx context.Context, fd int, p []byte) (int, error) {
	for {
		n, err := unix.Read(fd, p)
		if err == unix.EINTR {
			continue
		}
		if err != unix.EAGAIN {
			if err != nil {
				return 0, &net.OpError{Op: "read", Net: "fd", Err: err}
			}
			return n, nil
		}
		if err := waitReady(ctx, fd, true); err != nil {
			return 0, err
		}
	}
}

// SockSendAll writes all of p to fd, waiting whenever the socket's buffer
// is full (loop.sock_sendall). If ctx ends first it returns the error, and
// part of p may have been sent: the count is in the *PartialWriteError.
func SockSendAll(ctx context.Context, fd int, p []byte) error {
	sent := 0
	for sent < len(p) {
		n, err := unix.Write(fd, p[sent:])
		if n > 0 {
			sent += n
		}
		switch {
		case err == nil || err == unix.EINTR:
			continue
		case err != unix.EAGAIN:
			return &PartialWriteError{Written: sent, Err: &net.OpError{Op: "write", Net: "fd", Err: err}}
		}
		if err := waitReady(ctx, fd, false); err != nil {
			return &PartialWriteError{Written: sent, Err: err}
		}
	}
	return nil
}

// PartialWriteError reports a SockSendAll that stopped part of the way.
type PartialWriteError struct {
	Written int // bytes sent before the error
	Err     error
}

func (e *PartialWriteError) Error() string {
	return fmt.Sprintf("asyncio: %d bytes sent, then: %v", e.Written, e.Err)
}

// Unwrap returns the error that stopped the write.
func (e *PartialWriteError) Unwrap() error { return e.Err }

// SockConnect connects the non-blocking socket fd to addr (a *net.TCPAddr,
// *net.UDPAddr or *net.UnixAddr), waiting for the connection to be
// established (loop.sock_connect).
func SockConnect(ctx context.Context, fd int, addr net.Addr) error {
	sa, err := sockaddr(addr)
	if err != nil {
		return err
	}
	err = unix.Connect(fd, sa)
	for err == unix.EINTR {
		err = unix.Connect(fd, sa)
	}
	if err == nil {
		return nil
	}
	if err != unix.EINPROGRESS {
		return &net.OpError{Op: "dial", Net: addr.Network(), Addr: addr, Err: err}
	}
	if err := waitReady(ctx, fd, false); err != nil {
		return err
	}
	errno, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
	if err == nil && errno != 0 {
		err = unix.Errno(errno)
	}
	if err != nil {
		return &net.OpError{Op: "dial", Net: addr.Network(), Addr: addr, Err: err}
	}
	return nil
}

// SockAccept accepts a connection on the listening socket fd, waiting for
// one, and returns its descriptor, already non-blocking and close-on-exec,
// with the peer's address (loop.sock_accept).
func SockAccept(ctx context.Context, fd int) (int, net.Addr, error) {
	for {
		nfd, sa, err := acceptNonblock(fd)
		switch {
		case err == nil:
			return nfd, netAddr(sa), nil
		case err == unix.EINTR || err == unix.ECONNABORTED:
			continue
		case err != unix.EAGAIN:
			return -1, nil, &net.OpError{Op: "accept", Net: "fd", Err: err}
		}
		if err := waitReady(ctx, fd, true); err != nil {
			return -1, nil, err
		}
	}
}

// waitReady suspends the task of ctx until fd is readable (or writable),
// watching it only for the wait.
func waitReady(ctx context.Context, fd int, read bool) error {
	t, err := taskOf(ctx)
	if err != nil {
		return err
	}
	if t == nil {
		return ErrNoTask
	}
	l := t.loop
	ready := NewFuture[struct{}](ctx)
	mark := func() { ready.TrySetResult(struct{}{}) }
	h, err := l.watch(fd, mark, read)
	if err != nil {
		return err
	}
	// Another call on fd may have replaced this watch while this one
	// waited (a task that gave up on a cancelled read and started
	// another): only this call's own watch is removed.
	defer l.unwatch(fd, read, h)
	what := waitSocketWrite
	if read {
		what = waitSocketRead
	}
	_, err = ready.waitIn(ctx, what)
	return err
}

// sockaddr converts a net address to the form the socket calls take.
func sockaddr(addr net.Addr) (unix.Sockaddr, error) {
	var ap netip.AddrPort
	switch a := addr.(type) {
	case *net.TCPAddr:
		ap = a.AddrPort()
	case *net.UDPAddr:
		ap = a.AddrPort()
	case *net.UnixAddr:
		return &unix.SockaddrUnix{Name: a.Name}, nil
	default:
		return nil, fmt.Errorf("asyncio: unsupported address %T", addr)
	}
	ip := ap.Addr()
	if ip.Is4() || ip.Is4In6() {
		return &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ip.Unmap().As4()}, nil
	}
	if ip.Is6() {
		sa := &unix.SockaddrInet6{Port: int(ap.Port()), Addr: ip.As16()}
		if z := ip.Zone(); z != "" { // a link-local address names its interface
			if ifi, err := net.InterfaceByName(z); err == nil {
				sa.ZoneId = uint32(ifi.Index)
			} else if n, err := strconv.ParseUint(z, 10, 32); err == nil {
				sa.ZoneId = uint32(n)
			} else {
				return nil, fmt.Errorf("asyncio: unknown IPv6 zone %q", z)
			}
		}
		return sa, nil
	}
	return nil, errors.New("asyncio: address without an IP")
}

// netAddr converts a socket address back into a net address.
func netAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)))
	case *unix.SockaddrInet6:
		return net.TCPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)))
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}
