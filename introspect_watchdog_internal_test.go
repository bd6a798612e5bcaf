package asyncio

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// stallingClock is a real clock whose Now, once armed, blocks the loop's
// goroutine until released: the loop busy with work of its own, between
// steps.
type stallingClock struct {
	Clock
	loop    *Loop
	armed   atomic.Bool
	release chan struct{}
}

func (c *stallingClock) Now() time.Duration {
	if c.loop != nil && c.loop.loopGoid != 0 && goid() == c.loop.loopGoid && c.armed.CompareAndSwap(true, false) {
		<-c.release
	}
	return c.Clock.Now()
}

// TestWatchdogBlamesTheLoop: when the loop itself is slow between steps,
// the stall names no task (not the task whose step came last) and shows
// the loop's goroutine.
func TestWatchdogBlamesTheLoop(t *testing.T) {
	clock := &stallingClock{Clock: NewRealClock(), release: make(chan struct{})}
	stalls := make(chan Stall, 4)
	r := NewRunner(WithClock(clock), WithDebug(true), WithSlowDuration(20*time.Millisecond),
		WithStallHandler(func(s Stall) {
			if s.Ongoing {
				stalls <- s
				close(clock.release)
			}
		}))
	defer r.Close()
	clock.loop = r.Loop()
	err := r.Run(func(ctx context.Context) error {
		clock.armed.Store(true)
		return Sleep(ctx, time.Millisecond) // the loop reads its clock for the timer
	})
	if err != nil {
		t.Fatal(err)
	}
	s := <-stalls
	if s.Task != "" || s.Callback != "" {
		t.Errorf("stall blamed task %q, callback %q; want the loop's own work", s.Task, s.Callback)
	}
	if !strings.Contains(s.Stack, "asyncio.(*stallingClock).Now(") || !strings.Contains(s.Stack, "asyncio.(*Loop).runOnce(") {
		t.Errorf("stall stack is not the loop's:\n%s", s.Stack)
	}
}
