//go:build unix && !linux

package poller

import "golang.org/x/sys/unix"

// Read reads from fd, a non-blocking descriptor.
func Read(fd int, p []byte) (int, error) { return unix.Read(fd, p) }

// Write writes to fd, a non-blocking descriptor.
func Write(fd int, p []byte) (int, error) { return unix.Write(fd, p) }
