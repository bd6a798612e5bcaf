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

func TestShieldReturnsInnerResult(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var innerTask, outerTask asyncio.AnyTask
		outerTask = asyncio.CurrentTask(ctx)
		v, err := asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
			innerTask = asyncio.CurrentTask(ctx)
			return 5, asyncio.Sleep(ctx, time.Second)
		})
		if v != 5 || err != nil || vnow(ctx) != time.Second {
			t.Errorf("Shield = %v, %v at %v", v, err, vnow(ctx))
		}
		if innerTask == nil || innerTask == outerTask {
			t.Errorf("the shielded function ran in task %v", innerTask)
		}
		// A failure while the outer still waits is returned, not reported.
		if _, err := asyncio.Shield(ctx, sleepFail[int](time.Second, boom)); err != boom {
			t.Errorf("Shield = %v", err)
		}
		return nil
	})
}

// Cancelling the waiter returns the cancellation at once; the inner task
// runs on to completion.
func TestShieldOuterCancelledInnerCompletes(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var innerErr error
		innerDone := time.Duration(-1)
		var outerAt time.Duration
		outer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			v, err := asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
				innerErr = asyncio.Sleep(ctx, 5*time.Second)
				innerDone = vnow(ctx)
				return 7, innerErr
			})
			outerAt = vnow(ctx)
			return v, err
		})
		asyncio.Sleep(ctx, time.Second)
		outer.Cancel()
		if _, err := outer.Wait(ctx); !isCancel(err) {
			t.Errorf("outer returned %v", err)
		}
		if outerAt != time.Second || innerDone >= 0 {
			t.Errorf("outer returned at %v, inner done at %v", outerAt, innerDone)
		}
		asyncio.Sleep(ctx, 10*time.Second)
		if innerErr != nil || innerDone != 5*time.Second {
			t.Errorf("inner: %v, done at %v", innerErr, innerDone)
		}
		return nil
	})
}

// An inner failure after the waiter left goes to the exception handler.
func TestShieldInnerFailureAfterOuterLeftIsReported(t *testing.T) {
	boom := errors.New("late failure")
	var rep reports
	asynciotest.Run(t, func(ctx context.Context) error {
		outer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.Shield(ctx, sleepFail[int](5*time.Second, boom))
		})
		asyncio.Sleep(ctx, time.Second)
		outer.Cancel()
		outer.Wait(ctx)
		if len(rep.got) != 0 {
			t.Errorf("reported before the inner failed: %+v", rep.got)
		}
		asyncio.Sleep(ctx, 10*time.Second)
		if len(rep.got) != 1 || !errors.Is(rep.got[0].Err, boom) || !strings.Contains(rep.got[0].Message, "shield") {
			t.Errorf("reports %+v", rep.got)
		}
		return nil
	}, rep.option())
	if len(rep.got) != 1 {
		t.Errorf("reported %d times in all: %+v", len(rep.got), rep.got)
	}
}

// An inner task that ends cancelled after the waiter left is not reported.
func TestShieldInnerCancelledAfterOuterLeftNotReported(t *testing.T) {
	var rep reports
	asynciotest.Run(t, func(ctx context.Context) error {
		var inner asyncio.AnyTask
		outer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
				inner = asyncio.CurrentTask(ctx)
				return 0, asyncio.Sleep(ctx, time.Hour)
			})
		})
		asyncio.Sleep(ctx, time.Second)
		outer.Cancel()
		outer.Wait(ctx)
		inner.Cancel()
		asyncio.Sleep(ctx, time.Second)
		return nil
	}, rep.option())
	if len(rep.got) != 0 {
		t.Errorf("reports %+v", rep.got)
	}
}

// The inner task cancelled by other means: the waiter sees a cancellation,
// while its own ctx stays live.
func TestShieldInnerCancelledElsewhere(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var inner asyncio.AnyTask
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Second)
			inner.Cancel()
			return 0, nil
		})
		_, err := asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
			inner = asyncio.CurrentTask(ctx)
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		if !isCancel(err) || vnow(ctx) != time.Second {
			t.Errorf("Shield = %v at %v", err, vnow(ctx))
		}
		if ctx.Err() != nil {
			t.Error("the waiter itself was cancelled")
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("waiter's next wait: %v", err)
		}
		return nil
	})
}

// A timeout around Shield: the waiter times out, the inner task finishes.
func TestShieldUnderTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		finished := false
		_, err := asyncio.WaitFor(ctx, time.Second, func(ctx context.Context) (int, error) {
			return asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
				err := asyncio.Sleep(ctx, 3*time.Second)
				finished = err == nil
				return 0, err
			})
		})
		if !errors.Is(err, asyncio.ErrTimeout) || vnow(ctx) != time.Second {
			t.Errorf("WaitFor(Shield) = %v at %v", err, vnow(ctx))
		}
		asyncio.Sleep(ctx, 5*time.Second)
		if !finished {
			t.Error("the shielded task did not finish")
		}
		return nil
	})
}

// context.WithoutCancel shields a region of the task itself: its waits
// ignore the cancellation, and the next wait with the task's ctx sees it.
func TestWithoutCancelShieldsRegion(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var regionErr, afterErr error
		var regionEnd time.Duration
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			shielded := context.WithoutCancel(ctx)
			regionErr = asyncio.Sleep(shielded, 5*time.Second)
			regionEnd = vnow(ctx)
			afterErr = asyncio.Sleep(ctx, 0)
			return 0, afterErr
		})
		asyncio.Sleep(ctx, time.Second)
		task.Cancel()
		task.Wait(ctx)
		if regionErr != nil || regionEnd != 5*time.Second {
			t.Errorf("shielded region: %v, ended at %v", regionErr, regionEnd)
		}
		if !isCancel(afterErr) {
			t.Errorf("wait after the region: %v", afterErr)
		}
		return nil
	})
}

// Shield called from a goroutine that is not a task runs fn there,
// unaffected by ctx's cancellation.
func TestShieldPlainGoroutine(t *testing.T) {
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	v, err := asyncio.Shield(cctx, func(ctx context.Context) (int, error) {
		if ctx.Err() != nil {
			t.Error("fn sees the cancellation")
		}
		return 3, nil
	})
	if v != 3 || err != nil {
		t.Errorf("Shield = %v, %v", v, err)
	}
}

// An inner task that times out on its own after the waiter left has failed,
// and is reported like any other failure.
func TestShieldInnerTimeoutAfterOuterLeftIsReported(t *testing.T) {
	var rep reports
	asynciotest.Run(t, func(ctx context.Context) error {
		outer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.Shield(ctx, func(ctx context.Context) (int, error) {
				return asyncio.WaitFor(ctx, 5*time.Second, sleepRet(time.Hour, 1))
			})
		})
		asyncio.Sleep(ctx, time.Second)
		outer.Cancel()
		outer.Wait(ctx)
		asyncio.Sleep(ctx, 10*time.Second)
		return nil
	}, rep.option())
	if len(rep.got) != 1 || !errors.Is(rep.got[0].Err, asyncio.ErrTimeout) {
		t.Errorf("reports %+v", rep.got)
	}
}
