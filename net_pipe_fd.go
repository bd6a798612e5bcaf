//go:build unix

package asyncio

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// newPipeTransport drives one end of a pipe from the loop's poller. It
// takes a duplicate of f's descriptor, made non-blocking, and closes f, so
// that the runtime's poller lets go of it.
func newPipeTransport(l *Loop, f *os.File, protocol Protocol, end pipeEnd) (*fdTransport, error) {
	rc, err := f.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd := -1
	// Children start on other threads (subprocess_spawn.go): the
	// duplicate must not leak into one before it is close-on-exec, or a
	// child holding a pipe's write end keeps its reader from seeing the end.
	syscall.ForkLock.RLock()
	if cerr := rc.Control(func(s uintptr) { fd, err = unix.Dup(int(s)) }); cerr != nil {
		syscall.ForkLock.RUnlock()
		return nil, cerr
	}
	if err == nil {
		unix.CloseOnExec(fd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, &os.PathError{Op: "dup", Path: f.Name(), Err: err}
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, err
	}
	f.Close()
	t := newFDTransport(l, fd, protocol)
	t.pipe = end
	return t, nil
}
