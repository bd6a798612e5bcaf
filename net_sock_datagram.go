//go:build unix

package asyncio

import (
	"context"
	"net"
	"net/netip"
	"os"

	"golang.org/x/sys/unix"
)

// SockRecvFrom reads one datagram from fd into p, waiting until one is
// there (loop.sock_recvfrom_into). It returns the datagram's length and
// its sender's address: a *net.UDPAddr, a *net.UnixAddr, or nil for an
// unnamed Unix socket. A datagram longer than p is truncated to it.
func SockRecvFrom(ctx context.Context, fd int, p []byte) (int, net.Addr, error) {
	for {
		n, from, err := unix.Recvfrom(fd, p, 0)
		switch err {
		case nil:
			return n, datagramAddr(from), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
		default:
			return 0, nil, &net.OpError{Op: "read", Net: "fd", Err: os.NewSyscallError("recvfrom", err)}
		}
		if err := waitReady(ctx, fd, true); err != nil {
			return 0, nil, err
		}
	}
}

// SockSendTo sends p as one datagram from fd to addr (a *net.UDPAddr or
// *net.UnixAddr), or to the peer of a connected socket if addr is nil,
// waiting while the socket's buffer is full (loop.sock_sendto). It returns
// the number of bytes sent: all of p.
func SockSendTo(ctx context.Context, fd int, p []byte, addr net.Addr) (int, error) {
	var sa unix.Sockaddr
	if addr != nil {
		var err error
		if sa, err = sockaddr(addr); err != nil {
			return 0, err
		}
	}
	for {
		switch err := unix.Sendto(fd, p, 0, sa); err {
		case nil:
			return len(p), nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
		default:
			return 0, &net.OpError{Op: "write", Net: "fd", Addr: addr, Err: os.NewSyscallError("sendto", err)}
		}
		if err := waitReady(ctx, fd, false); err != nil {
			return 0, err
		}
	}
}

// datagramAddr converts the address of a datagram's sender into a net
// address: a *net.UDPAddr, a *net.UnixAddr, or nil for an unnamed Unix
// socket (as the net package's ReadFrom does).
func datagramAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return net.UDPAddrFromAddrPort(netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port)))
	case *unix.SockaddrInet6:
		ip := netip.AddrFrom16(a.Addr)
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				ip = ip.WithZone(ifi.Name)
			}
		}
		return net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, uint16(a.Port)))
	case *unix.SockaddrUnix:
		if a.Name == "" {
			return nil
		}
		return &net.UnixAddr{Name: a.Name, Net: "unixgram"}
	}
	return nil
}
