package patterns

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Debouncer calls a function once a burst of triggers has calmed down:
// fn runs after Trigger has not been called for a quiet period d, once for
// the whole burst (the trailing edge), like lodash's debounce. A search box
// debounces keystrokes so that it searches once the user stops typing.
//
// Options add a call at the start of a burst (DebounceLeading), remove the
// one at its end (DebounceTrailing(false)), or bound how long a burst can
// put the call off (DebounceMaxWait).
//
// A call at the end of a burst runs as a callback of the loop; a call at its
// start, and one forced by Flush, run inline, before Trigger or Flush
// returns. fn is never called while an earlier call of the same Debouncer
// runs, unless fn itself calls Trigger or Flush. To do asynchronous work,
// fn can start a task, or hand the work to one through a queue.
//
// A Debouncer belongs to the loop of the ctx it was made with; call its
// methods from code running on that loop. All its timing is on the loop's
// clock, so under a virtual clock it is exact.
type Debouncer struct {
	loop     *asyncio.Loop
	quiet    time.Duration
	fn       func()
	leading  bool
	trailing bool
	maxWait  time.Duration // 0: none

	active  bool          // within a burst
	pending bool          // a trailing call is owed
	start   time.Duration // when the burst began
	due     time.Duration // when the burst ends, if no Trigger comes first
	timer   *asyncio.TimerHandle
	stopped bool
	runs    uint64
}

// A DebounceOption configures a Debouncer.
type DebounceOption func(*Debouncer)

// DebounceLeading makes the Debouncer call fn at the start of a burst, on
// the first Trigger after a quiet period (default off). With the trailing
// call on too, fn runs at the end of the burst only if Trigger was called
// again during it.
func DebounceLeading(on bool) DebounceOption { return func(d *Debouncer) { d.leading = on } }

// DebounceTrailing turns the call at the end of a burst on or off (default
// on). Turning both edges off panics in NewDebouncer.
func DebounceTrailing(on bool) DebounceOption { return func(d *Debouncer) { d.trailing = on } }

// DebounceMaxWait bounds a burst to max from its first Trigger: a burst of
// triggers that never pauses for the quiet period still ends, and makes its
// trailing call, max after it began. A max shorter than the quiet period
// panics in NewDebouncer.
func DebounceMaxWait(max time.Duration) DebounceOption {
	return func(d *Debouncer) { d.maxWait = max }
}

// NewDebouncer returns a Debouncer that calls fn on the loop of ctx once
// Trigger has not been called for quiet. quiet ≤ 0 panics, and so does a ctx
// that belongs to no task.
func NewDebouncer(ctx context.Context, quiet time.Duration, fn func(), opts ...DebounceOption) *Debouncer {
	if quiet <= 0 {
		panic(fmt.Sprintf("patterns: NewDebouncer: quiet period of %v", quiet))
	}
	d := &Debouncer{loop: loopOf(ctx, "NewDebouncer"), quiet: quiet, fn: fn, trailing: true}
	for _, o := range opts {
		o(d)
	}
	if !d.leading && !d.trailing {
		panic("patterns: NewDebouncer: neither the leading nor the trailing call is on")
	}
	if d.maxWait != 0 && d.maxWait < quiet {
		panic(fmt.Sprintf("patterns: NewDebouncer: max wait %v is shorter than the quiet period %v", d.maxWait, quiet))
	}
	return d
}

// Trigger records an event: it starts a burst, or extends the current one
// to quiet from now (but no further than the max wait from its start). A
// Trigger that comes exactly when the burst ends, quiet after the last one,
// starts a new burst: the trailing call of the old one runs first, at once. On
// the first Trigger of a burst with the leading call on, fn runs before
// Trigger returns. After Stop, Trigger does nothing.
func (d *Debouncer) Trigger() {
	if d.stopped {
		return
	}
	now := d.loop.Time()
	if d.active && now >= d.due {
		// The burst is over; its timer has not run yet, in this very
		// iteration of the loop. End it first, whatever the order.
		d.timer.Cancel()
		d.timer = nil
		d.expire()
	}
	if !d.active {
		d.active, d.start, d.pending = true, now, false
		d.setDue(now)
		if d.leading {
			d.call()
			return
		}
		d.pending = true
		return
	}
	d.pending = d.trailing
	d.setDue(now)
}

// setDue moves the end of the burst and makes sure a timer fires then. The
// timer is moved lazily: one that fires early finds the new end and sleeps
// on, so a burst of triggers costs one timer, not one each.
func (d *Debouncer) setDue(now time.Duration) {
	d.due = now + d.quiet
	if d.maxWait > 0 {
		d.due = min(d.due, d.start+d.maxWait)
	}
	if d.timer == nil {
		d.timer = d.loop.CallAt(d.due, d.onTimer)
	}
}

func (d *Debouncer) onTimer() {
	d.timer = nil
	if !d.active {
		return
	}
	if d.loop.Time() < d.due {
		d.timer = d.loop.CallAt(d.due, d.onTimer)
		return
	}
	d.expire()
}

// expire ends the burst, making the trailing call if one is owed.
func (d *Debouncer) expire() {
	d.active = false
	if d.pending {
		d.pending = false
		d.call()
	}
}

// call runs fn, the state already updated so that fn may Trigger again.
func (d *Debouncer) call() {
	d.runs++
	d.fn()
}

// Flush ends the current burst at once: if a trailing call is owed, fn runs
// now, before Flush returns, instead of at the end of the quiet period.
// It reports whether fn ran.
func (d *Debouncer) Flush() bool {
	if !d.active {
		return false
	}
	d.endBurst()
	if !d.pending {
		return false
	}
	d.pending = false
	d.call()
	return true
}

// Stop ends the current burst without calling fn, and makes every later
// Trigger do nothing. It reports whether a call was owed and dropped.
func (d *Debouncer) Stop() bool {
	d.stopped = true
	d.endBurst()
	dropped := d.pending
	d.pending = false
	return dropped
}

func (d *Debouncer) endBurst() {
	d.active = false
	if d.timer != nil {
		d.timer.Cancel()
		d.timer = nil
	}
}

// Pending reports whether a trailing call is owed: fn will run at the end
// of the current burst.
func (d *Debouncer) Pending() bool { return d.pending }

// Runs returns the number of times fn has been called.
func (d *Debouncer) Runs() uint64 { return d.runs }
