package main

import (
	"net"

	"golang.org/x/sys/unix"
)

// stillOpen counts the connections the server has not closed: a peek finds
// bytes, or would block, rather than the end of the stream or an error.
func stillOpen(conns []net.Conn) int {
	open := 0
	buf := make([]byte, 1)
	for _, c := range conns {
		rc, err := c.(*net.TCPConn).SyscallConn()
		if err != nil {
			continue
		}
		rc.Read(func(fd uintptr) bool {
			k, _, err := unix.Recvfrom(int(fd), buf, unix.MSG_PEEK|unix.MSG_DONTWAIT)
			if err == unix.EAGAIN || k > 0 {
				open++
			}
			return true
		})
	}
	return open
}
