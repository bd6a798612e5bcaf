package asyncio

import "time"

// A wake resumes a task from one of its waits. A task numbers its waits
// (taskCore.gen); a wake carries the number of the wait it ends, and the
// loop drops a wake whose wait is over when it takes it from the ready
// queue. So whatever can end a wait (a grant, a completion, data, a timer,
// a cancellation) keeps the wake and fires it without knowing whether
// something else ended the wait first, and a wait needs no registration to
// undo. The zero wake is no wake: it names no task.
type wake struct {
	t   *taskCore
	gen uint64
}

// anyWait is the number of a wake that resumes the task whatever wait it
// is in: a cancellation, which every wait checks for.
const anyWait = 0

// beginWait starts a new wait of the task and returns the wake that ends
// it.
func (t *taskCore) beginWait() wake {
	t.waitSince = time.Duration(t.loop.coarse.Load())
	t.gen++
	return wake{t, t.gen}
}

// fire puts w on the ready queue of its task's loop. It is safe from any
// goroutine; on a closed loop it does nothing and reports false.
func (w wake) fire() bool { return w.t.loop.push(readyItem{w: w}) }

// current reports whether w ends the wait its task is in.
func (w wake) current() bool { return w.gen == anyWait || w.gen == w.t.gen }

// resumed reports whether w is the wake that resumed its task last.
func (w wake) resumed() bool { return w.t.wokenBy == w.gen }

// short returns the low half of w's wait number, for a holder that keeps
// only that (TimerHandle, to stay at 48 bytes): wakeShort turns it back
// into w as long as the wait is the task's current one.
func (w wake) short() uint32 { return uint32(w.gen) }

// wakeShort returns the wake of the task's current wait, if the low half
// of its number is gen; false means the wait that gen named is over. (A
// wait 2³² waits old would pass for the current one: a timer is cancelled
// when its wait ends otherwise, so none is left that old.)
func (t *taskCore) wakeShort(gen uint32) (wake, bool) {
	return wake{t, t.gen}, uint32(t.gen) == gen
}
