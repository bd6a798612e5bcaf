package poller

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// Read reads from fd, a non-blocking descriptor, as unix.Read does, but
// without telling the Go scheduler that a system call is under way
// (RawSyscall): a read of a non-blocking descriptor never blocks, and a
// loop that reads and writes without pause would otherwise spend its
// time in the scheduler's hand-offs. With one P (GOMAXPROCS=1), the
// runtime's monitor takes the P from a thread whose system call has run
// for 20 µs and gives it to another, and the loop's thread must win it
// back: thousands of context switches a second under load.
func Read(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := unix.RawSyscall(unix.SYS_READ, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

// Write writes to fd, a non-blocking descriptor; see Read.
func Write(fd int, p []byte) (int, error) {
	var ptr unsafe.Pointer
	if len(p) > 0 {
		ptr = unsafe.Pointer(&p[0])
	}
	n, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(ptr), uintptr(len(p)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}
