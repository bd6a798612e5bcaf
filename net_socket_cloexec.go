//go:build linux || freebsd || dragonfly || netbsd || openbsd || solaris

package asyncio

import "golang.org/x/sys/unix"

// socket opens a socket that is close-on-exec from the start. Children are
// started on other threads (subprocess_spawn.go), so a descriptor that
// became close-on-exec only after its creation could leak into a child
// forked in between, and keep its connection open for as long as the
// child lives.
func socket(family, typ int) (int, error) {
	return unix.Socket(family, typ|unix.SOCK_CLOEXEC, 0)
}
