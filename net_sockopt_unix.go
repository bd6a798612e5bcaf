//go:build unix

package asyncio

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// setReusePort sets SO_REUSEPORT on fd, where the system has it.
func setReusePort(fd int) error {
	if soReusePort < 0 {
		return os.NewSyscallError("setsockopt SO_REUSEPORT", unix.ENOPROTOOPT)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, soReusePort, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEPORT", err)
	}
	return nil
}

// reusePortControl sets SO_REUSEPORT on a socket the net package makes.
func reusePortControl(_, _ string, c syscall.RawConn) error {
	var err error
	if cerr := c.Control(func(fd uintptr) { err = setReusePort(int(fd)) }); cerr != nil {
		return cerr
	}
	return err
}
