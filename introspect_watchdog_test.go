package asyncio_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// blockingCall stands for a call that blocks its goroutine, and so the
// loop, such as time.Sleep or a synchronous read, until release closes.
func blockingCall(release chan struct{}) { <-release }

// TestWatchdogTaskStall: a task blocking the loop is reported while it
// still blocks, by name and with the line it blocks on, and a snapshot
// taken meanwhile from another goroutine is stale and names it.
func TestWatchdogTaskStall(t *testing.T) {
	stalls := make(chan asyncio.Stall, 4)
	release := make(chan struct{})
	r := asyncio.NewRunner(
		asyncio.WithSlowDuration(20*time.Millisecond),
		asyncio.WithStallHandler(func(s asyncio.Stall) { stalls <- s }),
	)
	defer r.Close()
	l := r.Loop()
	done := make(chan error, 1)
	go func() {
		done <- r.Run(func(ctx context.Context) error {
			if err := asyncio.Sleep(ctx, 0); err != nil { // an iteration before
				return err
			}
			b := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				blockingCall(release)
				return struct{}{}, nil
			}, asyncio.Name("blocker"))
			_, err := b.Wait(ctx)
			return err
		})
	}()
	s := <-stalls
	if s.Task != "blocker" || !s.Ongoing || s.Duration < 20*time.Millisecond {
		t.Errorf("stall %+v, want the ongoing step of blocker, ≥ 20ms", s)
	}
	if !strings.Contains(s.Stack, "asyncio_test.blockingCall(") || !strings.Contains(s.Stack, "introspect_watchdog_test.go:") {
		t.Errorf("stall stack does not show the blocking line:\n%s", s.Stack)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	snap, err := l.Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !snap.Stale || snap.Blocked == nil || snap.Blocked.Task != "blocker" {
		t.Errorf("snapshot of a blocked loop: stale %v, blocked %+v", snap.Stale, snap.Blocked)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	blocking, slowest := l.Stalls()
	if blocking != nil || len(slowest) != 1 || slowest[0].Ongoing || slowest[0].Duration < s.Duration {
		t.Errorf("after the stall: blocking %+v, slowest %+v", blocking, slowest)
	}
	// The end of the stall is reported once, with its total length, by
	// the time the run that the watchdog belongs to returns.
	select {
	case end := <-stalls:
		if end.Ongoing || end.Task != "blocker" || end.Duration < s.Duration || len(slowest) == 1 && end.Duration != slowest[0].Duration || !end.Started.Equal(s.Started) {
			t.Errorf("end of the stall %+v, want blocker's, not ongoing, as long as the slowest %+v", end, slowest)
		}
	default:
		t.Error("the end of the stall was not reported")
	}
	select {
	case s := <-stalls:
		t.Errorf("a third report: %+v", s)
	default:
	}
}

// TestWatchdogLogsStallEnd: without a handler, the end of a stall is
// logged with its length.
func TestWatchdogLogsStallEnd(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	release := make(chan struct{})
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		if strings.Contains(string(p), "the loop is blocked") && !strings.Contains(buf.String(), "the loop is blocked") {
			defer close(release)
		}
		return buf.Write(p)
	}), nil))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		blockingCall(release)
		return struct{}{}, nil
	}, asyncio.WithSlowDuration(20*time.Millisecond), asyncio.WithLogger(logger))
	if err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains(buf.String(), `asyncio: loop stall ended after `) || !strings.Contains(buf.String(), `ms: task \"main\"`) {
		t.Errorf("log:\n%s", buf.String())
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestWatchdogCallbackStall: a callback blocking the loop is reported with
// the loop goroutine's stack.
func TestWatchdogCallbackStall(t *testing.T) {
	stalls := make(chan asyncio.Stall, 4)
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			asyncio.RunningLoop(ctx).CallSoon(func() { blockingCall(release) })
			return struct{}{}, asyncio.Sleep(ctx, 0)
		}, asyncio.WithSlowDuration(20*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) { stalls <- s }))
		done <- err
	}()
	s := <-stalls
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if s.Task != "" || !strings.HasPrefix(s.Callback, "github.com/asyncio-go/asyncio_test.TestWatchdogCallbackStall.func") ||
		!strings.Contains(s.Stack, "asyncio_test.blockingCall(") || !strings.Contains(s.Stack, "asyncio.(*Loop).call(") {
		t.Errorf("callback stall %+v", s)
	}
}

// TestWatchdogBusyLoopIsNoStall: a loop busy with many short steps for
// longer than the threshold is not stalled. The threshold is long enough
// that a loaded machine leaving the loop's thread off the CPU for a while,
// which the watchdog cannot tell from a stall, does not fail the test.
func TestWatchdogBusyLoopIsNoStall(t *testing.T) {
	stalls := make(chan asyncio.Stall, 4)
	start := time.Now()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		for time.Since(start) < 300*time.Millisecond {
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, asyncio.WithSlowDuration(100*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) { stalls <- s }))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case s := <-stalls:
		t.Errorf("short steps reported as a stall: %+v", s)
	default:
	}
}

// TestLoopLag: a timer due while a step blocks the loop fires late by
// about as long, and the histogram counts it.
func TestLoopLag(t *testing.T) {
	release := make(chan struct{})
	var lag asyncio.LagStats
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		sleeper := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Sleep(ctx, time.Millisecond)
		})
		blocker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			blockingCall(release)
			return struct{}{}, nil
		})
		if _, err := blocker.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		if _, err := sleeper.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		lag = asyncio.RunningLoop(ctx).Lag()
		return struct{}{}, nil
	}, asyncio.WithSlowDuration(20*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) {
		if s.Ongoing {
			close(release)
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	// The blocker runs until the watchdog reports it, 20 ms at least;
	// the sleeper's timer was due 1 ms in.
	if lag.Count == 0 || lag.Max < 15*time.Millisecond {
		t.Fatalf("lag %+v, want a timer late by ≥ 15ms", lag)
	}
	var late uint64
	for _, b := range lag.Buckets {
		if b.UpTo == 0 || b.UpTo > 10*time.Millisecond {
			late += b.Count
		}
	}
	if late == 0 {
		t.Errorf("histogram %+v has no timer later than 10ms", lag.Buckets)
	}
	if len(lag.Recent) == 0 || lag.Recent[len(lag.Recent)-1].Max != lag.Max {
		t.Errorf("recent seconds %+v, want the worst lag %v in the last", lag.Recent, lag.Max)
	}
}

func TestWatchdogOff(t *testing.T) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		b, s := asyncio.RunningLoop(ctx).Stalls()
		if b != nil || s != nil {
			t.Errorf("stalls with the watchdog off: %v %v", b, s)
		}
		return struct{}{}, nil
	}, asyncio.WithWatchdog(false))
	if err != nil {
		t.Fatal(err)
	}
}

// TestWatchdogStallAmongManyTasks: the stack of the step blocking the loop
// is found among thousands of suspended tasks, whose identical stacks the
// goroutine profile counts as one.
func TestWatchdogStallAmongManyTasks(t *testing.T) {
	stalls := make(chan asyncio.Stall, 4)
	release := make(chan struct{})
	var once sync.Once
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		ev := asyncio.NewEvent()
		var waiting []*asyncio.Task[struct{}]
		for i := range 5000 {
			waiting = append(waiting, goTask(ctx, ev.Wait))
			if i%100 == 99 { // no step long enough to be a stall itself
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return struct{}{}, err
				}
			}
		}
		if err := asyncio.Sleep(ctx, 0); err != nil { // all of them wait
			return struct{}{}, err
		}
		blockingCall(release)
		ev.Set()
		for _, w := range waiting {
			if _, err := w.Wait(ctx); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, asyncio.WithSlowDuration(20*time.Millisecond), asyncio.WithStallHandler(func(s asyncio.Stall) {
		// A loaded machine may slow down a step of the set-up long
		// enough to be reported: only the blocking call releases.
		if s.Ongoing && strings.Contains(s.Stack, "asyncio_test.blockingCall(") {
			once.Do(func() { stalls <- s; close(release) })
		}
	}))
	if err != nil {
		t.Fatal(err)
	}
	s := <-stalls
	if s.Task != "main" || !strings.Contains(s.Stack, "asyncio_test.blockingCall(") || strings.Contains(s.Stack, "-- or") {
		t.Errorf("stall %q, stack:\n%s", s.Task, s.Stack)
	}
}
