package asynciotest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// A task the body forgot fails the test, named with what it waits in.
func TestPendingTaskIsReported(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.Sleep(ctx, time.Hour)
		}, asyncio.Name("ticker"))
		never := asyncio.NewFuture[int](ctx)
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return never.Wait(ctx) }, asyncio.Name("waiter"))
		return asyncio.Sleep(ctx, time.Second)
	})
	if r.errors != 1 || r.fatals != 0 {
		t.Fatalf("errors %d, fatals %d: want one report of the pending tasks; messages %q", r.errors, r.fatals, r.messages)
	}
	msg := r.messages[0]
	for _, want := range []string{
		"2 task(s) still pending",
		`task "ticker" waits in Sleep since 0s`,
		`task "waiter" waits in Future.Wait since 0s`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("report lacks %q:\n%s", want, msg)
		}
	}
}

// A task spawned in the body's last step has not started; the report says
// so.
func TestUnstartedTaskIsReported(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, nil }, asyncio.Name("late"))
		return nil
	})
	if r.errors != 1 || !strings.Contains(r.messages[0], `task "late" has not started`) {
		t.Fatalf("errors %d, messages %q: want the unstarted task reported", r.errors, r.messages)
	}
}

// A task waiting for another names it.
func TestPendingReportNamesWhatATaskWaitsFor(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error {
		inner := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.Sleep(ctx, time.Hour)
		}, asyncio.Name("inner"))
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return inner.Wait(ctx) }, asyncio.Name("outer"))
		return asyncio.Sleep(ctx, time.Minute)
	})
	if r.errors != 1 || !strings.Contains(r.messages[0], `task "outer" waits in Task.Wait since 0s (for "inner")`) {
		t.Fatalf("errors %d, messages %q", r.errors, r.messages)
	}
}

// After another failure the pending tasks are not reported: they are most
// likely its consequence, and the report would bury it.
func TestPendingNotReportedAfterFailure(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		return context.DeadlineExceeded
	})
	if r.errors != 0 || r.fatals != 1 {
		t.Fatalf("errors %d, fatals %d, messages %q: want only the body's error", r.errors, r.fatals, r.messages)
	}
}

// CancelPending ends the tasks left on purpose, running their cleanup,
// and the test passes.
func TestCancelPending(t *testing.T) {
	cleaned := 0
	r := runRecorded(func(ctx context.Context) error {
		for range 3 {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				defer func() { cleaned++ }()
				return 0, asyncio.Sleep(ctx, time.Hour)
			})
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if err := asynciotest.CancelPending(ctx); err != nil {
			return err
		}
		if n := len(asyncio.AllTasks(ctx)); n != 1 {
			t.Errorf("after CancelPending the loop has %d tasks, want only the body's", n)
		}
		if now := asyncio.RunningLoop(ctx).Time(); now != time.Second {
			t.Errorf("CancelPending took the clock to %v; the tasks should end at once", now)
		}
		return nil
	})
	if r.errors != 0 || r.fatals != 0 {
		t.Fatalf("errors %d, fatals %d, messages %q", r.errors, r.fatals, r.messages)
	}
	if cleaned != 3 {
		t.Fatalf("%d of 3 tasks ran their cleanup", cleaned)
	}
}

// A task whose cleanup spawns another: CancelPending ends that one too.
func TestCancelPendingFollowsCleanupSpawns(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var late asyncio.AnyTask
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() {
				late = asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
					return 0, asyncio.Sleep(ctx, time.Hour)
				}, asyncio.Name("spawned in cleanup"))
			}()
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		asyncio.Sleep(ctx, 0)
		if err := asynciotest.CancelPending(ctx); err != nil {
			return err
		}
		if late == nil || !late.Done() {
			t.Errorf("the task spawned during cleanup is not done")
		}
		return nil
	})
}
