//go:build unix

package asyncio

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// canWaitReadable says that waitReadable works here.
const canWaitReadable = true

// waitReadable waits until rc's descriptor is readable (or at its end, or
// failed, or closed). The runtime's poller is edge-triggered, so it only
// waits once poll(2) says nothing is there yet: data that arrived before
// the last read drained the socket would bring no new edge.
func waitReadable(rc syscall.RawConn) error {
	return rc.Read(func(fd uintptr) bool {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, 0)
		return err != nil || n > 0
	})
}
