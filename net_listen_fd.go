//go:build unix

package asyncio

import (
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// fdListener is a listening socket driven by the loop's poller.
type fdListener struct {
	s      *Server
	fd     int
	local  net.Addr
	unlink string // the socket file to remove on close
}

// listenFD opens a non-blocking listening socket on a.
func listenFD(s *Server, a net.Addr) (listener, error) {
	family, typ := unix.AF_INET, unix.SOCK_STREAM
	var unlink string
	switch a := a.(type) {
	case *net.TCPAddr:
		if a.IP.To4() == nil {
			family = unix.AF_INET6
		}
	case *net.UnixAddr:
		family = unix.AF_UNIX
		if err := removeStaleSocketFile(a.Name); err != nil {
			return nil, err
		}
		if a.Name != "" && a.Name[0] != '@' {
			unlink = a.Name
		}
	}
	fd, err := socket(family, typ)
	if err != nil {
		return nil, err
	}
	if family != unix.AF_UNIX {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		if s.cfg.reusePort {
			if err := setReusePort(fd); err != nil {
				unix.Close(fd)
				return nil, err
			}
		}
	}
	if family == unix.AF_INET6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	sa, err := sockaddr(a)
	if err == nil {
		err = unix.Bind(fd, sa)
	}
	if err == nil {
		err = unix.Listen(fd, s.cfg.backlog)
	}
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		unix.Close(fd)
		return nil, err
	}
	local := a
	if bound, err := unix.Getsockname(fd); err == nil && family != unix.AF_UNIX {
		local = netAddr(bound)
	}
	return &fdListener{s: s, fd: fd, local: local, unlink: unlink}, nil
}

func (ln *fdListener) addr() net.Addr { return ln.local }

func (ln *fdListener) serve() { ln.s.loop.AddReader(ln.fd, ln.acceptReady) }

func (ln *fdListener) close() {
	ln.s.loop.RemoveReader(ln.fd)
	unix.Close(ln.fd)
	if ln.unlink != "" {
		os.Remove(ln.unlink)
	}
}

// acceptReady accepts what is waiting, up to the backlog, as asyncio does.
func (ln *fdListener) acceptReady() {
	s := ln.s
	for range DefaultBacklog {
		nfd, err := acceptConn(ln.fd)
		switch err {
		case nil:
			if _, tcp := ln.local.(*net.TCPAddr); tcp {
				unix.SetsockoptInt(nfd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
				if s.cfg.keepAlive {
					unix.SetsockoptInt(nfd, unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1)
				}
			}
			s.accepted(newFDTransport(s.loop, nfd, nil))
			if s.closed {
				return // a protocol closed the server
			}
		case unix.EAGAIN:
			return
		case unix.EINTR, unix.ECONNABORTED:
		default: // out of descriptors or memory, most likely
			s.loop.RemoveReader(ln.fd)
			s.acceptFailed(ln.local.Network(), err, ln.serve)
			return
		}
	}
}
