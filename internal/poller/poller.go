// Package poller waits for readiness of file descriptors on behalf of an
// event loop, with the operating system's own mechanism: epoll on Linux,
// kqueue on macOS and the BSDs. It is the contract every backend keeps;
// the loop uses nothing else.
//
// The contract:
//
//   - A Poller is owned by one loop. Add, Modify, Remove and Wait are called
//     only from the goroutine running that loop (or the task it runs); Wake
//     and Close may be called from any goroutine, Close only once nothing
//     waits.
//   - Interest is level-triggered, as asyncio's selectors are: Wait reports
//     a descriptor for as long as it stays readable or writable and
//     registered for that, so a callback that reads only part of the data
//     is told again. A descriptor is registered once (Add) with its
//     interests, which Modify changes; Remove forgets it. The Poller never
//     closes a descriptor.
//   - Wait blocks until at least one registered descriptor is ready, Wake is
//     called, or the timeout passes (timeout < 0: no limit; 0: do not
//     block). It fills events and returns how many; a Wake is consumed and
//     not reported as an event. An interrupted system call returns 0 events
//     and no error.
//   - Wake is cheap and idempotent until a Wait consumes it: a burst of
//     wakes costs one system call on the waiting side. A Wake that comes
//     after a Wait consumed the previous one is pending for the next Wait,
//     since it may follow the caller's last look at its own state.
//   - Errors and hang-ups are reported as readable and writable, so that
//     the callback's own read or write sees the error, as with select.
package poller

import (
	"errors"
	"time"
)

// An Event is the readiness of one descriptor.
type Event struct {
	FD       int
	Readable bool
	Writable bool
}

// ErrNotSupported is returned by New on systems without a backend.
var ErrNotSupported = errors.New("poller: no poller on this system")

// timeoutMillis converts a Wait timeout to the milliseconds the system
// calls take, rounding up so that a timer is never woken for early.
func timeoutMillis(d time.Duration) int {
	if d < 0 {
		return -1
	}
	ms := (d + time.Millisecond - 1) / time.Millisecond
	if ms > 1<<30 {
		ms = 1 << 30
	}
	return int(ms)
}
