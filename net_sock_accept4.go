//go:build linux || freebsd || dragonfly

package asyncio

import "golang.org/x/sys/unix"

// acceptNonblock accepts a connection as a non-blocking, close-on-exec
// descriptor in one system call.
func acceptNonblock(fd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}

// acceptConn is acceptNonblock for a caller that has no use for the
// peer's address: the kernel writes none, and nothing is allocated for it
// (a server accepting many connections would make garbage of each).
func acceptConn(fd int) (int, error) {
	nfd, _, errno := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(fd), 0, 0, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(nfd), nil
}
