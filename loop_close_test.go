package asyncio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// Close of a loop with tasks still pending unwinds them: their waits fail
// at once, their deferred cleanup runs, and their goroutines end (TestMain's
// leak check would catch one that did not).
func TestCloseUnwindsPendingTasks(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	var cleaned []string
	var sleepErr error
	r.Run(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { cleaned = append(cleaned, "sleeper") }()
			sleepErr = asyncio.Sleep(ctx, time.Hour)
			return 0, sleepErr
		})
		asyncio.Sleep(ctx, 0) // the sleeper starts and suspends
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { cleaned = append(cleaned, "never started") }()
			return 0, nil
		})
		return nil
	})
	// The main task returned; the two others are pending. Closing the
	// loop directly (not through the runner's shutdown) must still end them.
	if err := r.Loop().Close(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !errors.Is(sleepErr, context.Canceled) {
		t.Errorf("sleep in a task unwound by Close returned %v", sleepErr)
	}
	if len(cleaned) != 1 || cleaned[0] != "sleeper" {
		t.Errorf("cleanup ran for %v, want only the started task", cleaned)
	}
}

// A task that ignores every error is still unwound by Close: its waits
// return at once instead of suspending.
func TestCloseUnwindsStubbornTask(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	waits := 0
	r.Run(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for i := 0; i < 5; i++ {
				asyncio.Sleep(ctx, time.Hour) // error ignored on purpose
				waits++
			}
			return 0, nil
		})
		return asyncio.Sleep(ctx, 0)
	})
	r.Loop().Close()
	if waits != 5 {
		t.Fatalf("stubborn task made %d waits", waits)
	}
}

// t.Fatal inside an asynciotest body ends the test and the loop cleanly.
func TestFatalInsideTaskEndsTest(t *testing.T) {
	ran := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ft := &fakeT{}
		defer func() { ran <- ft.failed }()
		func() {
			defer func() { recover() }()
			asynciotest.Run(ft, func(ctx context.Context) error {
				asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
					return 0, asyncio.Sleep(ctx, time.Hour)
				})
				asyncio.Sleep(ctx, 0)
				ft.Fatalf("stop here")
				return nil
			})
		}()
	}()
	<-done
	if !<-ran {
		t.Fatal("Fatalf inside the body did not fail the test")
	}
}

// Stop while Run waits for main ends Run with ErrLoopStopped instead of
// spinning or dropping the Stop.
func TestStopDuringRun(t *testing.T) {
	cleaned := false
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		defer func() { cleaned = true }()
		asyncio.RunningLoop(ctx).Stop()
		return 0, asyncio.Sleep(ctx, time.Hour)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if !errors.Is(err, asyncio.ErrLoopStopped) {
		t.Fatalf("Run after Stop: %v", err)
	}
	if !cleaned {
		t.Fatal("the stopped main task was not cancelled and unwound by the shutdown")
	}
}

func TestRunnerCloseFromInsideMain(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	var inside error
	r.Run(func(ctx context.Context) error {
		inside = r.Close()
		return nil
	})
	if !errors.Is(inside, asyncio.ErrLoopRunning) {
		t.Fatalf("Close from inside main: %v", inside)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if !r.Loop().IsClosed() {
		t.Fatal("the second Close did not close the loop")
	}
}

func TestGatherWithAnotherTasksCtx(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		other := asyncio.Spawn(ctx, func(octx context.Context) (context.Context, error) { return octx, nil })
		octx, _ := other.Wait(ctx)
		// octx belongs to a task that has ended, not to the running one.
		_, err := asyncio.Gather(octx, ret(1))
		if !errors.Is(err, asyncio.ErrWrongGoroutine) {
			t.Fatalf("Gather with another task's ctx: %v", err)
		}
		_, err = asyncio.Gather(context.Background(), ret(1))
		if !errors.Is(err, asyncio.ErrNoTask) {
			t.Fatalf("Gather with a ctx of no task: %v", err)
		}
		return nil
	})
}

func TestDebugReportNamesSpawnSite(t *testing.T) {
	var reports []asyncio.ExceptionContext
	asyncio.Run(func(ctx context.Context) (int, error) {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, errors.New("lost") })
		return 0, asyncio.Sleep(ctx, 0)
	}, asyncio.Debug(true), asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != 1 || !strings.Contains(string(reports[0].Stack), "TestDebugReportNamesSpawnSite") {
		t.Fatalf("report does not carry the spawn site: %+v", reports)
	}
}
