//go:build unix && !(linux || freebsd || dragonfly || netbsd || openbsd || solaris)

package asyncio

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// socket opens a socket and makes it close-on-exec, under the read side of
// syscall.ForkLock, so that no child forked meanwhile inherits it: the
// system cannot create it close-on-exec in one call.
func socket(family, typ int) (int, error) {
	syscall.ForkLock.RLock()
	defer syscall.ForkLock.RUnlock()
	fd, err := unix.Socket(family, typ, 0)
	if err == nil {
		unix.CloseOnExec(fd)
	}
	return fd, err
}
