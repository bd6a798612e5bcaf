package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestCallSoonFIFO(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	var got []int
	for i := range 5 {
		l.CallSoon(func() { got = append(got, i) })
	}
	l.CallSoon(l.Stop)
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if want := []int{0, 1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// One iteration runs only what was ready when it began: a callback
// scheduled by a callback runs in the next iteration, after the others.
func TestCallSoonIterationSnapshot(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	var got []string
	l.CallSoon(func() {
		got = append(got, "a")
		l.CallSoon(func() { got = append(got, "c") })
	})
	l.CallSoon(func() {
		got = append(got, "b")
		l.Stop() // stops at the end of this iteration: "c" must not run
	})
	l.RunForever()
	if want := []string{"a", "b"}; !slices.Equal(got, want) {
		t.Fatalf("first iteration ran %v, want %v", got, want)
	}
	l.CallSoon(l.Stop)
	l.RunForever()
	if want := []string{"a", "b", "c"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestStopBeforeRunRunsOneIteration(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	ran := 0
	l.CallSoon(func() { ran++; l.CallSoon(func() { ran++ }) })
	l.Stop()
	l.RunForever()
	if ran != 1 {
		t.Fatalf("ran %d callbacks, want 1", ran)
	}
}

func TestHandleCancel(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	ran := false
	h := l.CallSoon(func() { ran = true })
	h.Cancel()
	if !h.Cancelled() {
		t.Fatal("Cancelled() = false after Cancel")
	}
	l.CallSoon(l.Stop)
	l.RunForever()
	if ran {
		t.Fatal("cancelled callback ran")
	}
}

func TestCallLaterOrderAndTime(t *testing.T) {
	vc := asyncio.NewVirtualClock()
	l := asyncio.NewLoop(asyncio.WithClock(vc))
	defer l.Close()
	var got []string
	at := func(name string) func() {
		return func() { got = append(got, fmt.Sprintf("%s@%v", name, l.Time())) }
	}
	l.CallLater(30*time.Millisecond, at("c"))
	l.CallLater(10*time.Millisecond, at("a"))
	l.CallAt(10*time.Millisecond, at("b")) // same deadline: scheduled later, runs later
	h := l.CallLater(20*time.Millisecond, at("x"))
	h.Cancel()
	l.CallLater(40*time.Millisecond, l.Stop)
	l.RunForever()
	want := []string{"a@10ms", "b@10ms", "c@30ms"}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if h.When() != 20*time.Millisecond {
		t.Fatalf("When() = %v", h.When())
	}
}

// Many cancelled timers are purged rather than kept until they are due.
func TestCancelledTimersPurged(t *testing.T) {
	vc := asyncio.NewVirtualClock()
	l := asyncio.NewLoop(asyncio.WithClock(vc))
	defer l.Close()
	fired := 0
	for i := range 1000 {
		h := l.CallLater(time.Duration(i+1)*time.Hour, func() { fired++ })
		if i%10 != 0 {
			h.Cancel()
		}
	}
	l.CallLater(2000*time.Hour, l.Stop)
	l.RunForever()
	if fired != 100 {
		t.Fatalf("fired %d timers, want 100", fired)
	}
	if l.Time() != 2000*time.Hour {
		t.Fatalf("virtual time %v", l.Time())
	}
}

func TestCallSoonThreadsafeWakesLoop(t *testing.T) {
	l := asyncio.NewLoop()
	defer l.Close()
	var wg sync.WaitGroup
	got := 0
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.CallSoonThreadsafe(func() {
				got++
				if got == 10 {
					l.Stop()
				}
			})
		}()
	}
	l.RunForever()
	wg.Wait()
	if got != 10 {
		t.Fatalf("got %d", got)
	}
}

func TestCallbackPanicGoesToExceptionHandler(t *testing.T) {
	var reports []asyncio.ExceptionContext
	l := asyncio.NewLoop(asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	defer l.Close()
	after := false
	l.CallSoon(func() { panic("boom") })
	l.CallSoon(func() { after = true; l.Stop() })
	l.RunForever()
	if len(reports) != 1 || !after {
		t.Fatalf("reports %v, after %v", reports, after)
	}
	var pe *asyncio.PanicError
	if !errors.As(reports[0].Err, &pe) || pe.Value != "boom" {
		t.Fatalf("report err = %v", reports[0].Err)
	}
}

func TestClosedLoop(t *testing.T) {
	l := asyncio.NewLoop()
	l.Close()
	if err := l.RunForever(); !errors.Is(err, asyncio.ErrLoopClosed) {
		t.Fatalf("RunForever on closed loop: %v", err)
	}
	h := l.CallSoonThreadsafe(func() {})
	if !h.Cancelled() {
		t.Fatal("CallSoonThreadsafe on a closed loop should return a cancelled handle")
	}
	if err := l.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
}

func TestRunningLoopFromTask(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		if l == nil || !l.IsRunning() {
			t.Fatal("no running loop in the task's ctx")
		}
		if asyncio.RunningLoop(context.Background()) != nil {
			t.Fatal("background ctx has a loop")
		}
		return nil
	})
}

func TestDebugSlowCallbackWarning(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := newTestLogger(&buf, &mu)
	l := asyncio.NewLoop(asyncio.Debug(true), asyncio.WithSlowDuration(time.Nanosecond), asyncio.WithLogger(logger))
	defer l.Close()
	l.CallSoon(func() {
		busy := time.Now()
		for time.Since(busy) < time.Microsecond {
		}
	})
	l.CallSoon(l.Stop)
	l.RunForever()
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), "slow callback") {
		t.Fatalf("no slow-callback warning in %q", buf.String())
	}
}

// A callback that has run, or was cancelled, is not kept alive by its
// handle: the handle stays reachable (in its slab, or held by the caller),
// and a closure it kept would pin what the callback refers to, such as a
// closed transport and its buffers.
func TestCallbackNotKeptAfterRun(t *testing.T) {
	type payload struct{ buf [1 << 10]byte }
	var ran, dropped weak.Pointer[payload]
	var handles []*asyncio.Handle
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		p, q := new(payload), new(payload)
		ran, dropped = weak.Make(p), weak.Make(q)
		handles = append(handles, l.CallSoon(func() { p.buf[0] = 1 }))
		h := l.CallSoon(func() { q.buf[0] = 1 })
		h.Cancel()
		handles = append(handles, h)
		return struct{}{}, asyncio.Sleep(ctx, 0)
	})
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	if ran.Value() != nil || dropped.Value() != nil {
		t.Errorf("kept by a handle: the callback that ran %v, the cancelled one %v", ran.Value() != nil, dropped.Value() != nil)
	}
	runtime.KeepAlive(handles)
}
