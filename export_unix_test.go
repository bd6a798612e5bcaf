//go:build unix

package asyncio

import "syscall"

// ListenFDs returns the descriptors of the listening sockets of s.
func ListenFDs(s *Server) []int {
	var fds []int
	for _, ln := range s.listeners {
		switch ln := ln.(type) {
		case *fdListener:
			fds = append(fds, ln.fd)
		case *netListener:
			rc, err := ln.ln.(syscall.Conn).SyscallConn()
			if err == nil {
				rc.Control(func(fd uintptr) { fds = append(fds, int(fd)) })
			}
		}
	}
	return fds
}
