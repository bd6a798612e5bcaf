package asyncio

import (
	"context"
	"runtime"
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
	r := NewRunner(WithClock(clock), Debug(true), WithSlowDuration(20*time.Millisecond),
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
		state     goState
		measured  bool
		run, wait time.Duration
		want      StallKind
	}{
		{state: goParked, want: StallBlocked},                                              // a channel, a mutex, time.Sleep
		{state: goParked, measured: true, run: 100 * ms, want: StallBlocked},               // others' CPU does not make it busy
		{state: goParked, measured: true, wait: 90 * ms, want: StallBlocked},               // nor others' waiting descheduled
		{state: goSyscall, measured: true, run: 2 * ms, wait: 60 * ms, want: StallBlocked}, // asleep in the kernel
		{state: goSyscall, measured: true, run: 80 * ms, want: StallBusy},                  // a call that computes
		{state: goSyscall, want: StallBlocked},                                             // no thread times
		{measured: true, run: 95 * ms, wait: 3 * ms, want: StallBusy},                      // computing
		{measured: true, run: 45 * ms, wait: 40 * ms, want: StallBusy},                     // computing on a loaded machine
		{measured: true, run: 10 * ms, wait: 85 * ms, want: StallDescheduled},              // runnable, kept off the CPU
		{want: StallBusy}, // no thread times
	} {
		if got := classifyStall(c.state, c.measured, c.run, c.wait, 100*ms); got != c.want {
			t.Errorf("classifyStall(%+v) = %q, want %q", c, got, c.want)
		}
	}
	before := map[int]threadTime{1: {run: 10 * ms, wait: ms}, 2: {run: 5 * ms}, 3: {run: ms}}
	after := map[int]threadTime{1: {run: 50 * ms, wait: 3 * ms}, 2: {run: 6 * ms}, 4: {run: 2 * ms, wait: ms}}
	if run, wait := sumThreadTimes(before, after); run != 43*ms || wait != 3*ms {
		t.Errorf("sumThreadTimes = %v, %v; want 43ms, 3ms", run, wait)
	}
}

func parkedOnChannel(ch chan struct{}) { <-ch }

// TestStackRecordState: the goroutine profile's records tell a goroutine
// parked by Go from one running.
func TestStackRecordState(t *testing.T) {
	ch := make(chan struct{})
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		close(started)
		parkedOnChannel(ch)
	}()
	<-started
	defer func() { close(ch); <-done }()
	for range 1000 { // until the goroutine has parked
		var parked, running bool
		for _, r := range stackRecords() {
			if strings.Contains(r.frames, "asyncio.parkedOnChannel(") {
				parked = r.state == goParked
			}
			if strings.Contains(r.frames, "asyncio.TestStackRecordState(") {
				running = r.state == goRunning
			}
		}
		if !running {
			t.Fatal("the profiling goroutine is not running")
		}
		if parked {
			return
		}
		runtime.Gosched()
	}
	t.Fatal("the goroutine waiting on a channel is never seen parked")
}
