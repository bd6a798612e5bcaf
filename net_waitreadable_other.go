//go:build !unix

package asyncio

import "syscall"

// canWaitReadable says that waitReadable does not work here: readers keep
// buffers of their own.
const canWaitReadable = false

func waitReadable(syscall.RawConn) error { return nil }
