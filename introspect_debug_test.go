package asyncio_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

func TestDebugFromEnvironment(t *testing.T) {
	t.Setenv("ASYNCIODEBUG", "1")
	if l := asyncio.NewLoop(); !l.Debug() {
		t.Error("ASYNCIODEBUG=1 did not turn debug mode on")
	}
	t.Setenv("ASYNCIODEBUG", "0")
	if l := asyncio.NewLoop(); l.Debug() {
		t.Error("ASYNCIODEBUG=0 turned debug mode on")
	}
	t.Setenv("ASYNCIODEBUG", "1")
	if l := asyncio.NewLoop(asyncio.Debug(false)); l.Debug() {
		t.Error("Debug(false) should win over the environment")
	}
}

// A task step that keeps the loop busy is reported with the task's name
// and the place where it finally yielded.
func TestDebugSlowTaskStep(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	asyncio.Run(func(ctx context.Context) (int, error) {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			busy := time.Now()
			for time.Since(busy) < 2*time.Millisecond { // a blocking stretch
			}
			return 0, asyncio.Sleep(ctx, 0)
		}, asyncio.Name("hog"))
		return task.Wait(ctx)
	}, asyncio.Debug(true), asyncio.WithSlowDuration(time.Millisecond), asyncio.WithLogger(newTestLogger(&buf, &mu)))
	mu.Lock()
	defer mu.Unlock()
	out := buf.String()
	if !strings.Contains(out, "slow task step") || !strings.Contains(out, "task=hog") || !strings.Contains(out, "introspect_debug_test.go") {
		t.Fatalf("warning does not name the task and where it was:\n%s", out)
	}
}

func TestDebugCallSoonFromForeignGoroutinePanics(t *testing.T) {
	asyncio.Run(func(ctx context.Context) (int, error) {
		loop := asyncio.RunningLoop(ctx)
		got := make(chan any, 1)
		go func() {
			defer func() { got <- recover() }()
			loop.CallSoon(func() {})
		}()
		r, _ := asyncio.ToThread(ctx, func() (any, error) { return <-got, nil })
		if s, ok := r.(string); !ok || !strings.Contains(s, "CallSoonThreadsafe") {
			t.Errorf("CallSoon from another goroutine in debug mode: recovered %v", r)
		}
		return 0, nil
	}, asyncio.Debug(true))
}

// Debug mode catches a goroutine started by the running task that waits
// with the task's ctx while the task itself runs.
func TestDebugWaitFromGoroutineOfRunningTask(t *testing.T) {
	asyncio.Run(func(ctx context.Context) (int, error) {
		errc := make(chan error, 1)
		go func() { errc <- asyncio.Sleep(ctx, time.Millisecond) }()
		err := <-errc // the task is running: it blocks here on purpose
		if !errors.Is(err, asyncio.ErrWrongGoroutine) {
			t.Errorf("wait from a goroutine of the running task: %v", err)
		}
		return 0, nil
	}, asyncio.Debug(true))
}

// In debug mode, a task that waits with a ctx of no task gets an error
// instead of blocking its loop for good.
func TestDebugCatchesTaskBlockingItsLoop(t *testing.T) {
	asyncio.Run(func(ctx context.Context) (int, error) {
		other := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 1, nil })
		if _, err := other.Wait(context.Background()); !errors.Is(err, asyncio.ErrBlocksLoop) {
			t.Errorf("Task.Wait(context.Background()) in a task: %v", err)
		}
		if err := asyncio.Sleep(context.Background(), time.Millisecond); !errors.Is(err, asyncio.ErrBlocksLoop) {
			t.Errorf("Sleep(context.Background()) in a task: %v", err)
		}
		if err := asyncio.NewEvent().Wait(context.Background()); !errors.Is(err, asyncio.ErrBlocksLoop) {
			t.Errorf("Event.Wait(context.Background()) in a task: %v", err)
		}
		return other.Wait(ctx)
	}, asyncio.Debug(true))
}
