package asyncio

import (
	"sync/atomic"
	"time"
)

// A Handle is a callback scheduled on a loop by CallSoon or
// CallSoonThreadsafe. Cancel keeps it from running.
type Handle struct {
	fn        func()
	cancelled atomic.Bool
	heaped    atomic.Bool // a TimerHandle's: in the heap; Cancel reads it from any goroutine
}

// Cancel keeps the callback from running if it has not started yet. It is
// safe from any goroutine and may be called more than once.
func (h *Handle) Cancel() { h.cancelled.Store(true) }

// Cancelled reports whether Cancel was called.
func (h *Handle) Cancelled() bool { return h.cancelled.Load() }

// A TimerHandle is a callback scheduled on a loop for a point in time by
// CallLater or CallAt.
type TimerHandle struct {
	Handle
	when time.Duration
	loop *Loop

	// A timer that wakes a task instead of calling fn (Sleep).
	task *taskCore

	// seq breaks ties between equal deadlines: first scheduled runs first.
	// gen is the low half of the number of the task's wait the timer ends
	// (wake.short), enough to tell this wait from others. 32 bits each
	// keep a timer at 48 bytes (a million pending timers are a benchmark);
	// seq wraps after 2³² timers, which only reorders ties across the
	// wrap.
	seq uint32
	gen uint32
}

// When returns the loop time at which the callback is due.
func (t *TimerHandle) When() time.Duration { return t.when }

// Cancel keeps the callback from running if it has not started yet. It is
// safe from any goroutine. The loop drops cancelled timers lazily, and purges
// them in one sweep when they come to outnumber the live ones.
func (t *TimerHandle) Cancel() {
	if t.cancelled.Swap(true) || !t.heaped.Load() {
		return
	}
	// Counted only while in the heap; a race with the loop popping the
	// timer can leave the count high by one, which the next purge resets.
	t.loop.cancelledTimers.Add(1)
}

// handleSlab hands out Handles from blocks, so that scheduling a callback
// costs no allocation of its own in steady state. A block stays alive while
// any of its handles is referenced; a block is small (handleSlabSize
// handles), so that bounds what a kept handle can pin.
type handleSlab struct {
	free []Handle
}

const handleSlabSize = 128

// get returns a handle for a callback, which the ready queue's entry
// carries: the handle keeps only the flag, so that a handle kept in its
// block, or by the caller, does not keep what the callback refers to once
// it has run.
func (s *handleSlab) get() *Handle {
	if len(s.free) == 0 {
		s.free = make([]Handle, handleSlabSize)
	}
	h := &s.free[0]
	s.free = s.free[1:]
	return h
}
