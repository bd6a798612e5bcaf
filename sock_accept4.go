//go:build linux || freebsd || dragonfly

package asyncio

import "golang.org/x/sys/unix"

// acceptNonblock accepts a connection as a non-blocking, close-on-exec
// descriptor in one system call.
func acceptNonblock(fd int) (int, unix.Sockaddr, error) {
	return unix.Accept4(fd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
}
