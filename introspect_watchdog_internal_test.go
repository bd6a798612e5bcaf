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

// TestClassifyStall: what held the loop up is told from the goroutine's
// state and the threads' times over the window.
func TestClassifyStall(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		parked, measured bool
		run, wait        time.Duration
		want             StallKind
	}{
		{parked: true, want: StallBlocked},                                    // a channel, a mutex, time.Sleep
		{parked: true, measured: true, run: 100 * ms, want: StallBlocked},     // others' CPU does not make it busy
		{measured: true, run: 95 * ms, wait: 3 * ms, want: StallBusy},         // computing
		{measured: true, run: 45 * ms, wait: 40 * ms, want: StallBusy},        // computing on a loaded machine
		{measured: true, run: 10 * ms, wait: 85 * ms, want: StallDescheduled}, // runnable, kept off the CPU
		{measured: true, run: 2 * ms, wait: 1 * ms, want: StallBlocked},       // in a system call
		{measured: true, run: 250 * ms, want: StallBusy},                      // several threads busy
		{want: ""}, // no thread times
	} {
		if got := classifyStall(c.parked, c.measured, c.run, c.wait, 100*ms); got != c.want {
			t.Errorf("classifyStall(%+v) = %q, want %q", c, got, c.want)
		}
	}
	before := map[int]threadTime{1: {run: 10 * ms, wait: ms}, 2: {run: 5 * ms}, 3: {run: ms}}
	after := map[int]threadTime{1: {run: 50 * ms, wait: 3 * ms}, 2: {run: 6 * ms}, 4: {run: 2 * ms, wait: ms}}
	if run, wait := sumThreadTimes(before, after); run != 43*ms || wait != 3*ms {
		t.Errorf("sumThreadTimes = %v, %v; want 43ms, 3ms", run, wait)
	}
}
