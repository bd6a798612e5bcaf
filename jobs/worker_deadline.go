package jobs

import (
	"time"

	"github.com/asyncio-go/asyncio"
)

// A slotTry is what a slot of the worker is running: the timeout scope of
// its job and the job's deadline. Each slot has one, for all its jobs.
type slotTry struct {
	scope    *asyncio.TimeoutScope // nil while the slot runs no job
	deadline time.Duration         // on the loop's clock
}

// deadlines ends the tries of a worker's slots that run out of JobTimeout,
// with one timer for all of them. A timer per job, as asyncio.WaitFor
// sets, cost a short job a timer handle, a place in the loop's heap and a
// read of the wall clock; here a job costs two writes. Every try has the
// same limit, so their deadlines come in the order they start, and the
// timer, set for the earliest deadline when it was set, is never late for
// a try that started since: when it fires it ends the tries whose time is
// up and is set again for the earliest deadline of those still running.
// The tries that end in time leave the timer as it is, to find nothing to
// do when it fires (once per JobTimeout at most while jobs keep coming).
// Used on the worker's loop only.
type deadlines struct {
	loop  *asyncio.Loop
	limit time.Duration
	tries []*slotTry
	timer *asyncio.TimerHandle // nil when no try was running at its last firing
}

// add makes a try for a new slot.
func (ds *deadlines) add() *slotTry {
	t := &slotTry{}
	ds.tries = append(ds.tries, t)
	return t
}

// start bounds the job that t's slot starts with the scope s, which
// expires when the job's time is up.
func (ds *deadlines) start(t *slotTry, s *asyncio.TimeoutScope) {
	t.scope, t.deadline = s, ds.loop.Time()+ds.limit
	if ds.timer == nil {
		ds.timer = ds.loop.CallAt(t.deadline, ds.expire)
	}
}

// end says that t's job ended.
func (ds *deadlines) end(t *slotTry) { t.scope = nil }

// expire ends the tries whose time is up and sets the timer for the next
// deadline.
func (ds *deadlines) expire() {
	ds.timer = nil
	now := ds.loop.Time()
	next := asyncio.NoDeadline
	for _, t := range ds.tries {
		switch {
		case t.scope == nil:
		case t.deadline <= now:
			t.scope.Reschedule(now) // a deadline that has passed: the scope expires
			t.scope = nil
		default:
			next = min(next, t.deadline)
		}
	}
	if next != asyncio.NoDeadline {
		ds.timer = ds.loop.CallAt(next, ds.expire)
	}
}

// stop cancels the timer, once the slots have ended.
func (ds *deadlines) stop() {
	if ds.timer != nil {
		ds.timer.Cancel()
		ds.timer = nil
	}
}
