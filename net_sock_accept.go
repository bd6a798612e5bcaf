//go:build unix && !linux && !freebsd && !dragonfly

package asyncio

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// acceptNonblock accepts a connection and makes it non-blocking and
// close-on-exec; the system has no accept4.
func acceptNonblock(fd int) (int, unix.Sockaddr, error) {
	// Under ForkLock's read side, so that a child forked on another
	// thread (subprocess_spawn.go) cannot inherit the descriptor before it
	// is close-on-exec.
	syscall.ForkLock.RLock()
	nfd, sa, err := unix.Accept(fd)
	if err != nil {
		syscall.ForkLock.RUnlock()
		return -1, nil, err
	}
	unix.CloseOnExec(nfd)
	syscall.ForkLock.RUnlock()
	if err := unix.SetNonblock(nfd, true); err != nil {
		unix.Close(nfd)
		return -1, nil, err
	}
	return nfd, sa, nil
}

// acceptConn is acceptNonblock for a caller that has no use for the
// peer's address.
func acceptConn(fd int) (int, error) {
	nfd, _, err := acceptNonblock(fd)
	return nfd, err
}
