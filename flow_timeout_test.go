package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// --- Sleep ---

// Sleep(ctx, 0) gives up the loop for exactly one iteration: tasks that
// all yield with Sleep(0) run round-robin, in the order they became ready,
// and virtual time does not move.
func TestSleepZeroYieldsOneIteration(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var got []string
		var tasks []*asyncio.Task[int]
		for _, name := range []string{"a", "b", "c"} {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				for i := range 3 {
					got = append(got, fmt.Sprint(name, i))
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return 0, err
					}
				}
				return 0, nil
			}))
		}
		for _, tk := range tasks {
			tk.Wait(ctx)
		}
		want := []string{"a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2"}
		if !slices.Equal(got, want) {
			t.Errorf("interleaving %v, want %v", got, want)
		}
		if vnow(ctx) != 0 {
			t.Errorf("Sleep(0) moved virtual time to %v", vnow(ctx))
		}
		return nil
	})
}

// What was ready before Sleep(0) runs before the caller resumes; what is
// scheduled during that iteration runs after it.
func TestSleepZeroRunsReadyCallbacksFirst(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		var got []string
		l.CallSoon(func() {
			got = append(got, "cb1")
			l.CallSoon(func() { got = append(got, "cb2") })
		})
		asyncio.Sleep(ctx, 0)
		got = append(got, "main1")
		asyncio.Sleep(ctx, 0)
		got = append(got, "main2")
		if want := []string{"cb1", "main1", "cb2", "main2"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		return nil
	})
}

// A task's progress in iterations: main counts how many Sleep(0) steps a
// child makes while main makes n.
func TestSleepZeroCountsIterations(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		steps := 0
		child := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return steps, nil
				}
				steps++
			}
		})
		for range 10 {
			asyncio.Sleep(ctx, 0)
		}
		// The child started in main's first iteration and then made one
		// step per iteration: 9 completed Sleep(0)s.
		if steps != 9 {
			t.Errorf("child made %d steps while main made 10", steps)
		}
		child.Cancel()
		child.Wait(ctx)
		return nil
	})
}

func TestSleepWakesAtExactVirtualTime(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var got []string
		for _, d := range []time.Duration{3 * time.Second, time.Millisecond, 2 * time.Second, time.Millisecond} {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				start := vnow(ctx)
				if err := asyncio.Sleep(ctx, d); err != nil {
					return 0, err
				}
				got = append(got, fmt.Sprintf("%v@%v", d, vnow(ctx)-start))
				return 0, nil
			})
		}
		asyncio.Sleep(ctx, 5*time.Second)
		if vnow(ctx) != 5*time.Second {
			t.Errorf("main woke at %v", vnow(ctx))
		}
		want := []string{"1ms@1ms", "1ms@1ms", "2s@2s", "3s@3s"}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		return nil
	})
}

// A negative duration acts like 0: one iteration, no time.
func TestSleepNegativeActsLikeZero(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var got []string
		a := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for i := range 2 {
				got = append(got, fmt.Sprint("a", i))
				asyncio.Sleep(ctx, -time.Hour)
			}
			return 0, nil
		})
		b := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for i := range 2 {
				got = append(got, fmt.Sprint("b", i))
				asyncio.Sleep(ctx, 0)
			}
			return 0, nil
		})
		a.Wait(ctx)
		b.Wait(ctx)
		if want := []string{"a0", "b0", "a1", "b1"}; !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		if vnow(ctx) != 0 {
			t.Errorf("virtual time %v", vnow(ctx))
		}
		return nil
	})
}

func TestSleepCancelledReturnsAtOnce(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var woke time.Duration
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			err := asyncio.Sleep(ctx, time.Hour)
			woke = vnow(ctx)
			return 0, err
		})
		asyncio.Sleep(ctx, time.Second)
		task.Cancel()
		if _, err := task.Wait(ctx); !isCancel(err) {
			t.Errorf("Sleep after cancel returned %v", err)
		}
		if woke != time.Second {
			t.Errorf("cancelled Sleep woke at %v", woke)
		}
		return nil
	})
}

// --- Timeout scopes ---

func TestTimeoutOwnExpiryIsErrTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var inner error
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			inner = asyncio.Sleep(ctx, time.Hour)
			return inner
		})
		if !errors.Is(err, asyncio.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Timeout returned %v", err)
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("ErrTimeout matches context.Canceled")
		}
		if !errors.Is(inner, context.DeadlineExceeded) || errors.Is(inner, asyncio.ErrTimeout) {
			t.Errorf("wait inside the expired scope returned %v", inner)
		}
		if vnow(ctx) != time.Second {
			t.Errorf("expired at %v", vnow(ctx))
		}
		// The task itself is not cancelled: it goes on waiting.
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("Sleep after the scope: %v", err)
		}
		return nil
	})
}

// Inside an expired scope the expiry is level-triggered too.
func TestTimeoutExpiryIsLevelTriggered(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var errs []error
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			errs = append(errs, asyncio.Sleep(ctx, time.Hour))
			errs = append(errs, asyncio.Sleep(ctx, 0))
			f := asyncio.NewFuture[int](ctx)
			_, e := f.Wait(ctx)
			errs = append(errs, e)
			if ctx.Err() != context.DeadlineExceeded {
				t.Errorf("ctx.Err() = %v", ctx.Err())
			}
			return nil // swallowed
		})
		if err != nil {
			t.Errorf("Timeout whose body returned nil: %v", err)
		}
		for i, e := range errs {
			if !errors.Is(e, context.DeadlineExceeded) {
				t.Errorf("wait %d returned %v", i, e)
			}
		}
		return nil
	})
}

func TestTimeoutBodyInTime(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		boom := errors.New("boom")
		if err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			return asyncio.Sleep(ctx, 999*time.Millisecond)
		}); err != nil {
			t.Errorf("Timeout = %v", err)
		}
		if err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error { return boom }); err != boom {
			t.Errorf("body error not passed through: %v", err)
		}
		v, err := asyncio.WaitFor(ctx, time.Second, sleepRet(500*time.Millisecond, "v"))
		if v != "v" || err != nil {
			t.Errorf("WaitFor = %q, %v", v, err)
		}
		if vnow(ctx) != 1499*time.Millisecond {
			t.Errorf("time %v", vnow(ctx))
		}
		// The scopes' timers are gone: nothing fires later.
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			t.Error(err)
		}
		return nil
	})
}

// A body that fails with its own error after the expiry keeps that error:
// only cancellation errors are converted.
func TestTimeoutBodyErrorAfterExpiryPassesThrough(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		boom := errors.New("cleanup failed")
		s := asyncio.NewTimeout(ctx, time.Second)
		asyncio.Sleep(s.Context(), time.Hour)
		if err := s.Close(boom); err != boom {
			t.Errorf("Close = %v", err)
		}
		if !s.Expired() {
			t.Error("not expired")
		}
		return nil
	})
}

// Cancelling the task inside a timeout scope is a cancellation, not a
// timeout.
func TestTimeoutOuterCancelPassesThrough(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var inner error
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				inner = asyncio.Sleep(ctx, 2*time.Hour)
				return inner
			})
		})
		asyncio.Sleep(ctx, time.Second)
		task.Cancel()
		_, err := task.Wait(ctx)
		if !isCancel(err) || errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Timeout in a cancelled task returned %v", err)
		}
		if !isCancel(inner) {
			t.Errorf("wait inside returned %v", inner)
		}
		return nil
	})
}

// The scope expired first, then the task was cancelled while the region
// was still unwinding: the cancellation of the task must come out, not a
// bare context.DeadlineExceeded that is neither ErrTimeout nor a
// cancellation.
func TestTimeoutExpiredThenOuterCancel(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.Timeout(ctx, time.Second, func(sctx context.Context) error {
				err := asyncio.Sleep(sctx, time.Hour) // expires at 1s
				// Shielded cleanup, during which the task is cancelled.
				asyncio.Sleep(context.WithoutCancel(sctx), time.Second)
				return err
			})
		})
		asyncio.Sleep(ctx, 1500*time.Millisecond)
		task.Cancel()
		_, err := task.Wait(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Timeout that expired and was then cancelled from outside returned %v", err)
		}
		return nil
	})
}

func TestTimeoutNested(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		// Inner expires first: converted by the inner scope; the outer
		// sees the inner's ErrTimeout as a plain result and goes on.
		var innerErr error
		outerErr := asyncio.Timeout(ctx, 10*time.Second, func(ctx context.Context) error {
			innerErr = asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
				return asyncio.Sleep(ctx, time.Hour)
			})
			return asyncio.Sleep(ctx, time.Second) // the outer scope is live
		})
		if !errors.Is(innerErr, asyncio.ErrTimeout) || outerErr != nil {
			t.Errorf("inner %v, outer %v", innerErr, outerErr)
		}
		if vnow(ctx) != 2*time.Second {
			t.Errorf("time %v", vnow(ctx))
		}

		// Outer expires first: it passes through the inner scope
		// unconverted, and the outer converts it.
		start := vnow(ctx)
		innerErr = nil
		var innerExpired bool
		outer := asyncio.NewTimeout(ctx, time.Second)
		inner := asyncio.NewTimeout(outer.Context(), time.Hour)
		innerErr = inner.Close(asyncio.Sleep(inner.Context(), 2*time.Hour))
		innerExpired = inner.Expired()
		outerErr = outer.Close(innerErr)
		if errors.Is(innerErr, asyncio.ErrTimeout) || !errors.Is(innerErr, context.DeadlineExceeded) {
			t.Errorf("inner scope converted the outer's expiry: %v", innerErr)
		}
		if innerExpired || !outer.Expired() {
			t.Errorf("inner expired %v, outer expired %v", innerExpired, outer.Expired())
		}
		if !errors.Is(outerErr, asyncio.ErrTimeout) {
			t.Errorf("outer scope returned %v", outerErr)
		}
		if vnow(ctx)-start != time.Second {
			t.Errorf("outer expired after %v", vnow(ctx)-start)
		}
		return nil
	})
}

// Scopes that expire at the same instant: the outer one's expiry wins.
func TestTimeoutNestedSameDeadline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var innerErr error
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			innerErr = asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
				return asyncio.Sleep(ctx, time.Hour)
			})
			return innerErr
		})
		if errors.Is(innerErr, asyncio.ErrTimeout) || !errors.Is(innerErr, context.DeadlineExceeded) {
			t.Errorf("inner %v", innerErr)
		}
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("outer %v", err)
		}
		return nil
	})
}

func TestTimeoutWhenAndNoDeadline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		asyncio.Sleep(ctx, 5*time.Second)
		s := asyncio.NewTimeout(ctx, time.Second)
		if s.When() != 6*time.Second {
			t.Errorf("When = %v", s.When())
		}
		s.Close(nil)
		at := asyncio.NewTimeoutAt(ctx, 7*time.Second)
		if at.When() != 7*time.Second {
			t.Errorf("TimeoutAt When = %v", at.When())
		}
		at.Close(nil)

		never := asyncio.NewTimeout(ctx, asyncio.NoDeadline)
		if never.When() != asyncio.NoDeadline {
			t.Errorf("NoDeadline When = %v", never.When())
		}
		if err := asyncio.Sleep(never.Context(), 1000*time.Hour); err != nil {
			t.Errorf("sleep in a scope with no deadline: %v", err)
		}
		if err := never.Close(nil); err != nil || never.Expired() {
			t.Errorf("Close %v, Expired %v", err, never.Expired())
		}
		// TimeoutAt with an absolute time.
		err := asyncio.TimeoutAt(ctx, vnow(ctx)+3*time.Second, func(ctx context.Context) error {
			return asyncio.Sleep(ctx, time.Hour)
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("TimeoutAt = %v", err)
		}
		if vnow(ctx) != 1000*time.Hour+8*time.Second {
			t.Errorf("time %v", vnow(ctx))
		}
		return nil
	})
}

func TestTimeoutExpired(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewTimeout(ctx, time.Second)
		if s.Expired() {
			t.Error("expired at once")
		}
		asyncio.Sleep(s.Context(), 500*time.Millisecond)
		if s.Expired() {
			t.Error("expired early")
		}
		s.Close(nil)
		asyncio.Sleep(ctx, time.Hour)
		if s.Expired() {
			t.Error("a closed scope expired later")
		}

		s = asyncio.NewTimeout(ctx, time.Second)
		asyncio.Sleep(s.Context(), time.Hour)
		if !s.Expired() {
			t.Error("not expired after the deadline")
		}
		if err := s.Close(context.DeadlineExceeded); !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Close = %v", err)
		}
		if err := s.Close(context.DeadlineExceeded); err != context.DeadlineExceeded {
			t.Errorf("second Close converted again: %v", err)
		}
		return nil
	})
}

func TestTimeoutReschedule(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		// Later.
		s := asyncio.NewTimeout(ctx, time.Second)
		asyncio.Sleep(s.Context(), 500*time.Millisecond)
		s.Reschedule(vnow(ctx) + 2*time.Second)
		if s.When() != 2500*time.Millisecond {
			t.Errorf("When after reschedule = %v", s.When())
		}
		err := s.Close(asyncio.Sleep(s.Context(), time.Hour))
		if !errors.Is(err, asyncio.ErrTimeout) || vnow(ctx) != 2500*time.Millisecond {
			t.Errorf("later: %v at %v", err, vnow(ctx))
		}

		// Earlier.
		start := vnow(ctx)
		s = asyncio.NewTimeout(ctx, time.Hour)
		s.Reschedule(start + time.Second)
		err = s.Close(asyncio.Sleep(s.Context(), time.Hour))
		if !errors.Is(err, asyncio.ErrTimeout) || vnow(ctx)-start != time.Second {
			t.Errorf("earlier: %v after %v", err, vnow(ctx)-start)
		}

		// In the past: expires without any time passing.
		start = vnow(ctx)
		s = asyncio.NewTimeout(ctx, time.Hour)
		s.Reschedule(start - time.Second)
		err = s.Close(asyncio.Sleep(s.Context(), time.Hour))
		if !errors.Is(err, asyncio.ErrTimeout) || vnow(ctx) != start {
			t.Errorf("past: %v after %v", err, vnow(ctx)-start)
		}

		// To no deadline: the body finishes.
		s = asyncio.NewTimeout(ctx, time.Second)
		s.Reschedule(asyncio.NoDeadline)
		if err := s.Close(asyncio.Sleep(s.Context(), time.Hour)); err != nil || s.Expired() {
			t.Errorf("no deadline: %v, expired %v", err, s.Expired())
		}

		// After expiry and after Close, Reschedule does nothing.
		s = asyncio.NewTimeout(ctx, time.Second)
		asyncio.Sleep(s.Context(), time.Hour)
		s.Reschedule(asyncio.NoDeadline)
		if s.Context().Err() == nil || !s.Expired() {
			t.Error("Reschedule revived an expired scope")
		}
		s.Close(nil)
		s = asyncio.NewTimeout(ctx, time.Second)
		s.Close(nil)
		s.Reschedule(vnow(ctx) + time.Millisecond)
		asyncio.Sleep(ctx, time.Second)
		if s.Expired() {
			t.Error("a closed scope rescheduled and expired")
		}
		return nil
	})
}

// A deadline in the past makes the scope expire before the body's next
// wait can complete, even a Sleep(0): asyncio's reschedule uses call_soon
// for it.
func TestTimeoutPastDeadlineFailsFirstWait(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewTimeout(ctx, time.Hour)
		s.Reschedule(vnow(ctx) - 1)
		err := asyncio.Sleep(s.Context(), 0)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Sleep(0) after rescheduling into the past returned %v", err)
		}
		if err := s.Close(err); !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Close = %v", err)
		}
		return nil
	})
}

// WaitFor with d ≤ 0: fn runs until its first wait, which fails. Each case
// runs in a task of its own (see TestSleepZeroAfterOwnScopeEnds for why).
func TestWaitForNonPositive(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		for _, d := range []time.Duration{0, -time.Second} {
			ran := false
			var first error
			v, err := inTask(ctx, func(ctx context.Context) (int, error) {
				return asyncio.WaitFor(ctx, d, func(ctx context.Context) (int, error) {
					ran = true
					first = asyncio.Sleep(ctx, 0)
					if first != nil {
						return 0, first
					}
					return 1, nil
				})
			})
			if !ran || !errors.Is(first, context.DeadlineExceeded) {
				t.Errorf("d=%v: ran %v, first wait %v", d, ran, first)
			}
			if v != 0 || !errors.Is(err, asyncio.ErrTimeout) {
				t.Errorf("d=%v: WaitFor = %v, %v", d, v, err)
			}
			// fn that never waits returns its value.
			v, err = inTask(ctx, func(ctx context.Context) (int, error) {
				return asyncio.WaitFor(ctx, d, func(ctx context.Context) (int, error) { return 5, nil })
			})
			if v != 5 || err != nil {
				t.Errorf("d=%v: WaitFor without a wait = %v, %v", d, v, err)
			}
		}
		if vnow(ctx) != 0 {
			t.Errorf("time moved to %v", vnow(ctx))
		}
		return nil
	})
}

// Sleep(0) yields a whole iteration also right after the task ended a
// scope of its own (a timeout scope, a Gather, a task group) or cancelled
// itself: what was ready before the Sleep(0) runs before the task resumes.
func TestSleepZeroAfterOwnScopeEnds(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		check := func(name string, ctx context.Context) {
			ran := false
			l.CallSoon(func() { ran = true })
			asyncio.Sleep(ctx, 0)
			if !ran {
				t.Errorf("after %s: Sleep(0) resumed before a callback that was ready", name)
			}
		}
		asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error { return nil })
		check("Timeout", ctx)
		asyncio.Gather(ctx, sleepRet(0, 1))
		check("Gather", ctx)
		asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error { return nil })
		check("WithTaskGroup", ctx)
		inTask(ctx, func(ctx context.Context) (int, error) {
			asyncio.CurrentTask(ctx).Cancel()
			check("Cancel of itself", context.WithoutCancel(ctx))
			return 0, nil
		})
		return nil
	})
}

// If fn swallows the expiry and returns a value, WaitFor returns it.
func TestWaitForBodySwallowsExpiry(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var inner error
		v, err := asyncio.WaitFor(ctx, time.Second, func(ctx context.Context) (string, error) {
			inner = asyncio.Sleep(ctx, time.Hour)
			return "partial", nil
		})
		if v != "partial" || err != nil {
			t.Errorf("WaitFor = %q, %v", v, err)
		}
		if !errors.Is(inner, context.DeadlineExceeded) {
			t.Errorf("inner wait %v", inner)
		}
		// And the timeout's own error comes out when fn returns it.
		_, err = asyncio.WaitFor(ctx, time.Second, sleepRet(time.Hour, "x"))
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("WaitFor = %v", err)
		}
		return nil
	})
}

// A timeout in a goroutine that is not a task runs on the real clock.
func TestTimeoutInPlainGoroutine(t *testing.T) {
	start := time.Now()
	var innerErr error
	err := asyncio.Timeout(context.Background(), 20*time.Millisecond, func(ctx context.Context) error {
		if _, ok := ctx.Deadline(); !ok {
			t.Error("the scope's ctx reports no deadline")
		}
		innerErr = asyncio.Sleep(ctx, time.Hour)
		return innerErr
	})
	if !errors.Is(err, asyncio.ErrTimeout) || !errors.Is(innerErr, context.DeadlineExceeded) {
		t.Fatalf("Timeout = %v, inner %v", err, innerErr)
	}
	if el := time.Since(start); el < 20*time.Millisecond || el > 10*time.Second {
		t.Fatalf("expired after %v", el)
	}
	// In time.
	v, err := asyncio.WaitFor(context.Background(), time.Hour, func(ctx context.Context) (int, error) { return 3, nil })
	if v != 3 || err != nil {
		t.Fatalf("WaitFor = %v, %v", v, err)
	}
	// Outer cancellation passes through.
	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = asyncio.Timeout(cctx, time.Hour, func(ctx context.Context) error { return asyncio.Sleep(ctx, time.Hour) })
	if !isCancel(err) {
		t.Fatalf("Timeout with a cancelled parent = %v", err)
	}
}

// A body that returns at the moment the wall-clock timer fires: Close and
// the timer's callback must not race (run with -race).
func TestTimeoutPlainGoroutineCloseRacesExpiry(t *testing.T) {
	for range 20 {
		s := asyncio.NewTimeout(context.Background(), time.Microsecond)
		spin := time.Now()
		for time.Since(spin) < 200*time.Microsecond {
		}
		if err := s.Close(nil); err != nil {
			t.Fatalf("Close(nil) = %v", err)
		}
		_ = s.Expired()
		if s.Context().Err() == nil {
			t.Fatal("the scope's ctx is live after Close")
		}
	}
}

// A scope's ctx never reports a deadline later than its parent's: code
// that reads ctx.Deadline (net/http, gRPC) must see the earliest one.
func TestTimeoutDeadlineNotLaterThanParent(t *testing.T) {
	pctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pd, _ := pctx.Deadline()
	asyncio.Timeout(pctx, time.Hour, func(ctx context.Context) error {
		if d, ok := ctx.Deadline(); !ok || d.After(pd) {
			t.Errorf("goroutine scope: deadline %v (ok %v) after the parent's %v", d, ok, pd)
		}
		return nil
	})
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		return 0, asyncio.Timeout(ctx, time.Minute, func(ctx context.Context) error {
			od, ok := ctx.Deadline()
			if !ok {
				t.Error("a timeout scope on the real clock reports no deadline")
			}
			return asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				if d, ok := ctx.Deadline(); !ok || d.After(od) {
					t.Errorf("nested scope: deadline %v (ok %v) after the outer's %v", d, ok, od)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A deadline and the body's own wake-up due at the same instant: the
// expiry cancels the region before the body resumes, and the cancellation
// wins, as in asyncio, whichever was scheduled first.
func TestTimeoutTieWithBody(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			return asyncio.Sleep(ctx, time.Second) // timer set after the scope's
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Sleep due with the deadline: %v", err)
		}
		f := asyncio.NewFuture[int](ctx)
		asyncio.RunningLoop(ctx).CallLater(time.Second, func() { f.SetResult(1) }) // before the scope's
		_, err = asyncio.WaitFor(ctx, time.Second, f.Wait)
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("future resolved with the deadline: %v", err)
		}
		if v, err := f.Wait(ctx); v != 1 || err != nil {
			t.Errorf("the future lost its result: %v, %v", v, err)
		}
		if vnow(ctx) != 2*time.Second {
			t.Errorf("time %v", vnow(ctx))
		}
		return nil
	})
}
