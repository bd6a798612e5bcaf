//go:build unix

package asyncio

import (
	"net"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// setBacklog gives a listener the net package made the backlog n. The net
// package listens with the system's maximum and its ListenConfig has no
// backlog (its Control runs before bind, too early to listen); a second
// listen(2) on a listening socket sets the backlog on Linux, macOS and the
// BSDs.
func setBacklog(ln net.Listener, n int) error {
	sc, ok := ln.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := rc.Control(func(fd uintptr) { lerr = unix.Listen(int(fd), n) }); err != nil {
		return err
	}
	if lerr != nil {
		return os.NewSyscallError("listen", lerr)
	}
	return nil
}
