package patterns

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Throttle runs a function at most once per interval, however often it
// is triggered. The first Trigger runs fn at once (the leading edge) and
// starts an interval; triggers during the interval are dropped, or, with
// ThrottleTrailing, coalesced into one call at the end of the interval,
// which starts the next interval. A progress display throttles its redraws
// this way.
//
// A call on the leading edge runs inline, before Trigger returns; a trailing
// call runs as a callback of the loop. A Throttle belongs to the loop of the
// ctx it was made with; call its methods from code running on that loop.
type Throttle struct {
	loop     *asyncio.Loop
	interval time.Duration
	fn       func()
	trailing bool

	timer   *asyncio.TimerHandle // the current interval, nil between intervals
	pending bool                 // a trailing call is owed
	stopped bool
	runs    uint64
	dropped uint64
}

// A ThrottleOption configures a Throttle.
type ThrottleOption func(*Throttle)

// ThrottleTrailing makes the Throttle coalesce the triggers of an interval
// into one call at its end, instead of dropping them (default off). The last
// trigger is then never lost: fn always runs after it.
func ThrottleTrailing(on bool) ThrottleOption { return func(t *Throttle) { t.trailing = on } }

// NewThrottle returns a Throttle that runs fn on the loop of ctx at most
// once per interval. interval ≤ 0 panics, and so does a ctx that belongs to
// no task.
func NewThrottle(ctx context.Context, interval time.Duration, fn func(), opts ...ThrottleOption) *Throttle {
	if interval <= 0 {
		panic(fmt.Sprintf("patterns: NewThrottle: interval of %v", interval))
	}
	t := &Throttle{loop: loopOf(ctx, "NewThrottle"), interval: interval, fn: fn}
	for _, o := range opts {
		o(t)
	}
	return t
}

// Trigger runs fn now if no interval is running, and starts one. Within an
// interval it drops the call, or, with the trailing call on, owes one for
// the end of the interval. An interval ends exactly interval after it
// began: a Trigger at that instant starts the next one. Trigger reports
// whether fn ran now. After Stop it does nothing.
func (t *Throttle) Trigger() bool {
	if t.stopped {
		return false
	}
	if t.timer != nil && t.loop.Time() >= t.timer.When() {
		// The interval is over; its timer has not run yet, in this very
		// iteration of the loop. End it first, whatever the order.
		t.timer.Cancel()
		t.onTimer()
	}
	if t.timer == nil {
		t.run()
		return true
	}
	if t.trailing {
		if t.pending {
			t.dropped++ // coalesced into the call already owed
		}
		t.pending = true
	} else {
		t.dropped++
	}
	return false
}

// run starts an interval and calls fn, in that order, so that fn may
// Trigger again.
func (t *Throttle) run() {
	t.timer = t.loop.CallLater(t.interval, t.onTimer)
	t.runs++
	t.fn()
}

func (t *Throttle) onTimer() {
	t.timer = nil
	if t.pending {
		t.pending = false
		t.run()
	}
}

// Stop ends the current interval without making the owed call, and makes
// every later Trigger do nothing. It reports whether a call was owed and
// dropped.
func (t *Throttle) Stop() bool {
	t.stopped = true
	if t.timer != nil {
		t.timer.Cancel()
		t.timer = nil
	}
	dropped := t.pending
	if dropped {
		t.dropped++
	}
	t.pending = false
	return dropped
}

// Pending reports whether a trailing call is owed for the end of the
// current interval.
func (t *Throttle) Pending() bool { return t.pending }

// Runs returns the number of times fn has been called.
func (t *Throttle) Runs() uint64 { return t.runs }

// Dropped returns the number of triggers that did not lead to a call of
// their own: dropped, or coalesced into a call owed already.
func (t *Throttle) Dropped() uint64 { return t.dropped }
