package asyncio

import "time"

// An iteration runs what was ready when it began, as asyncio's _run_once
// does, but on a real clock not for ever: one that has run longer than
// iterationSlice while a timer is due or a descriptor is ready ends early,
// and the next iteration runs the I/O callbacks and due timers first, then
// the items left unrun, in their order, then what was scheduled meanwhile.
// Without this, spawning ten thousand tasks at once delays every timer by
// the whole batch of their first steps (hundreds of milliseconds). tokio's
// scheduler likewise polls its timer and I/O drivers every 61 tasks, and
// Go's scheduler polls the network when it has run a while.
//
// A loop on a VirtualClock never cuts an iteration: virtual time does not
// pass while callbacks run, and tests keep asyncio's order exactly.
const (
	// iterationSlice is how long an iteration runs before a due timer or
	// ready I/O may end it. It bounds how late a timer fires behind a long
	// batch, a few times smaller than the lateness users notice (tens of
	// milliseconds); a cut costs an extra iteration (a poll of the
	// descriptors at least), so it is not made much smaller. With ten
	// thousand HTTP requests started at once (asyncio-bench http-lag) a
	// 5 ms ticker's worst lateness went from 240-890 ms to mostly 5-20 ms
	// on a shared two-core machine, whose other load made the rest; 1 ms
	// did a little better (4-7 ms where 2 ms did 5-11), 5 ms a little
	// worse (10-13 ms), with no difference in throughput.
	iterationSlice = 2 * time.Millisecond

	// sliceCheckEvery is how many items run between two readings of the
	// clock: a reading costs tens of nanoseconds, an item rarely less.
	sliceCheckEvery = 32

	// ioCheckEvery is how often, once the slice is over, the descriptors
	// are polled for readiness: a poll is a system call, too dear for
	// every sliceCheckEvery items of small callbacks.
	ioCheckEvery = 100 * time.Microsecond
)

// cutDue reports whether the iteration, running since start, should end
// before its next item: it has outrun iterationSlice and I/O callbacks or
// timers it gathered wait at the end of its batch (dueWaiting), or a timer
// is due, or a watched descriptor is ready (polled no sooner than *ioAt,
// which it moves on). It never cuts once Stop was called, so that Stop
// still lets the iteration run all it began with, as asyncio's does.
func (l *Loop) cutDue(start time.Duration, ioAt *time.Duration, dueWaiting bool) bool {
	now := l.clock.Now()
	if now-start < iterationSlice || l.stopping.Load() {
		return false
	}
	if dueWaiting || len(l.timers) > 0 && l.timers[0].when <= now {
		return true
	}
	if l.watched > 0 && now >= *ioAt {
		*ioAt = now + ioCheckEvery
		if len(l.ioReady) == 0 {
			l.pollIO(0)
		}
		return len(l.ioReady) > 0
	}
	return false
}

// appendReady appends the ready queue to the batch, after the items the
// last iteration left, and returns the index of the first item it
// appended. The carried items stay where they are, so that a long batch cut
// again and again is not copied each time; they move to the front of the
// batch only once more of it is spent than left, which costs a copy per
// item run at most.
func (l *Loop) appendReady() int {
	if left := l.batch[l.carryFrom:]; l.carryFrom > len(left) {
		n := copy(l.batch, left)
		clear(l.batch[n:])
		l.batch, l.carryFrom = l.batch[:n], 0
	}
	fresh := len(l.batch)
	l.mu.Lock()
	l.batch = append(l.batch, l.ready...)
	clear(l.ready)
	l.ready = l.ready[:0]
	l.mu.Unlock()
	return fresh
}

// endBatch records how far the batch ran: items from from to from+ran.
// The batch is done, or what is left of it is carried to the next
// iteration, with the I/O callbacks and timers not reached moved to due to
// run first; the items run are cleared so that they keep nothing alive.
func (l *Loop) endBatch(from, ran int) {
	if end := from + ran; end < len(l.batch) {
		if end < l.dueFrom {
			l.due = append(l.due, l.batch[l.dueFrom:]...)
			clear(l.batch[l.dueFrom:])
			l.batch = l.batch[:l.dueFrom]
		}
		clear(l.batch[from:end])
		l.carryFrom = end
		return
	}
	clear(l.batch[from:])
	l.batch, l.carryFrom = l.batch[:0], 0
}
