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

func TestGatherResultsInArgumentOrder(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var finished []string
		mk := func(name string, d time.Duration) func(context.Context) (string, error) {
			return func(ctx context.Context) (string, error) {
				if err := asyncio.Sleep(ctx, d); err != nil {
					return "", err
				}
				finished = append(finished, name)
				return name, nil
			}
		}
		got, err := asyncio.Gather(ctx, mk("a", 3*time.Second), mk("b", time.Second), mk("c", 2*time.Second), mk("d", 0))
		if err != nil {
			t.Fatal(err)
		}
		if want := []string{"a", "b", "c", "d"}; !slices.Equal(got, want) {
			t.Errorf("results %v, want %v", got, want)
		}
		if want := []string{"d", "b", "c", "a"}; !slices.Equal(finished, want) {
			t.Errorf("completion order %v, want %v", finished, want)
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("Gather returned at %v", vnow(ctx))
		}
		return nil
	})
}

func TestGatherChildrenRunConcurrentlyAsTasks(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var names []string
		parent := asyncio.CurrentTask(ctx)
		_, err := asyncio.Gather(ctx, func(ctx context.Context) (int, error) {
			self := asyncio.CurrentTask(ctx)
			if self == nil || self == parent {
				t.Errorf("child runs in task %v", self)
			}
			names = append(names, "x")
			return 0, asyncio.Sleep(ctx, time.Second)
		}, func(ctx context.Context) (int, error) {
			names = append(names, "y")
			return 0, asyncio.Sleep(ctx, time.Second)
		})
		if err != nil || vnow(ctx) != time.Second || len(names) != 2 {
			t.Errorf("err %v, time %v, names %v", err, vnow(ctx), names)
		}
		return nil
	})
}

// The first failure cancels the other children; Gather waits until they
// have all ended, then returns that first error.
func TestGatherFirstFailureCancelsSiblingsAndWaits(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var log []string
		sibling := func(name string) func(context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				defer func() { log = append(log, name+" cleaned up") }()
				err := asyncio.Sleep(ctx, time.Hour)
				log = append(log, fmt.Sprintf("%s: %v cancelled=%v at %v", name, err != nil, isCancel(err), vnow(ctx)))
				// Cleanup that takes time, shielded from the cancellation.
				asyncio.Sleep(context.WithoutCancel(ctx), 2*time.Second)
				return 0, err
			}
		}
		res, err := asyncio.Gather(ctx,
			sibling("a"),
			sleepFail[int](time.Second, boom),
			sibling("c"),
		)
		log = append(log, "gather returned")
		if err != boom {
			t.Errorf("Gather returned %v, want the first failure", err)
		}
		if len(res) != 3 {
			t.Errorf("results %v", res)
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("Gather returned at %v: it did not wait for the cancelled children", vnow(ctx))
		}
		if log[len(log)-1] != "gather returned" || len(log) != 5 {
			t.Errorf("log %v", log)
		}
		for _, name := range []string{"a", "c"} {
			if !slices.Contains(log, name+": true cancelled=true at 1s") || !slices.Contains(log, name+" cleaned up") {
				t.Errorf("sibling %s did not observe the cancellation at 1s: %v", name, log)
			}
		}
		// The caller is not cancelled.
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("caller's ctx after Gather: %v", err)
		}
		return nil
	})
}

// The error returned is the first failure, not the cancellation of a
// sibling, nor a later error a sibling returns on its way out.
func TestGatherReturnsFirstErrorNotSiblings(t *testing.T) {
	first, second := errors.New("first"), errors.New("cleanup error")
	asynciotest.Run(t, func(ctx context.Context) error {
		_, err := asyncio.Gather(ctx,
			func(ctx context.Context) (int, error) {
				if asyncio.Sleep(ctx, time.Hour) != nil {
					return 0, second
				}
				return 0, nil
			},
			sleepRet(time.Hour, 0),
			sleepFail[int](time.Second, first),
		)
		if err != first {
			t.Errorf("Gather = %v, want %v", err, first)
		}
		return nil
	})
}

// A panic in a child re-panics in the caller once every child has ended.
func TestGatherChildPanicRePanicsAfterAllEnded(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		siblingDone := false
		func() {
			defer func() {
				r := recover()
				pe, ok := r.(*asyncio.PanicError)
				if !ok || pe.Value != "child broke" {
					t.Errorf("recovered %v", r)
				}
				if !siblingDone {
					t.Error("Gather re-panicked before the sibling ended")
				}
				if vnow(ctx) != 3*time.Second {
					t.Errorf("re-panicked at %v", vnow(ctx))
				}
			}()
			asyncio.Gather(ctx,
				func(ctx context.Context) (int, error) {
					err := asyncio.Sleep(ctx, time.Hour)
					asyncio.Sleep(context.WithoutCancel(ctx), 2*time.Second)
					siblingDone = true
					return 0, err
				},
				func(ctx context.Context) (int, error) {
					asyncio.Sleep(ctx, time.Second)
					panic("child broke")
				},
			)
			t.Error("Gather returned instead of panicking")
		}()
		return nil
	})
}

// Cancelling the task that waits in Gather cancels every child; Gather
// returns the cancellation once they have ended.
func TestGatherCallerCancelledCancelsChildren(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var seen []error
		var returnedAt time.Duration
		child := func(ctx context.Context) (int, error) {
			err := asyncio.Sleep(ctx, time.Hour)
			seen = append(seen, err)
			asyncio.Sleep(context.WithoutCancel(ctx), time.Second)
			return 1, err
		}
		caller := asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) {
			res, err := asyncio.Gather(ctx, child, child, child)
			returnedAt = vnow(ctx)
			return res, err
		})
		asyncio.Sleep(ctx, time.Second)
		caller.Cancel()
		_, err := caller.Wait(ctx)
		if !isCancel(err) {
			t.Errorf("Gather in a cancelled task returned %v", err)
		}
		if len(seen) != 3 {
			t.Fatalf("%d children saw the cancellation", len(seen))
		}
		for i, e := range seen {
			if !isCancel(e) {
				t.Errorf("child %d saw %v", i, e)
			}
		}
		if returnedAt != 2*time.Second {
			t.Errorf("Gather returned at %v, before its children ended", returnedAt)
		}
		return nil
	})
}

// The cause given to CancelCause reaches the children and comes out of
// Gather.
func TestGatherCallerCancelCause(t *testing.T) {
	cause := errors.New("shutdown")
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr error
		caller := asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) {
			return asyncio.Gather(ctx, func(ctx context.Context) (int, error) {
				childErr = asyncio.Sleep(ctx, time.Hour)
				return 0, childErr
			})
		})
		asyncio.Sleep(ctx, time.Second)
		caller.CancelCause(cause)
		_, err := caller.Wait(ctx)
		if !isCancel(err) || !errors.Is(err, cause) || !errors.Is(childErr, cause) {
			t.Errorf("Gather %v, child %v", err, childErr)
		}
		return nil
	})
}

// A child cancelled on its own makes Gather fail with a cancellation (and
// cancels its siblings), while the caller itself is not cancelled.
func TestGatherChildCancelledAlone(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var siblingErr error
		_, err := asyncio.Gather(ctx,
			func(ctx context.Context) (int, error) {
				siblingErr = asyncio.Sleep(ctx, time.Hour)
				return 0, siblingErr
			},
			func(ctx context.Context) (int, error) {
				asyncio.Sleep(ctx, time.Second)
				asyncio.CurrentTask(ctx).Cancel()
				return 0, asyncio.Sleep(ctx, time.Hour)
			},
		)
		if !isCancel(err) {
			t.Errorf("Gather = %v, want a cancellation", err)
		}
		if !isCancel(siblingErr) || vnow(ctx) != time.Second {
			t.Errorf("sibling %v, time %v", siblingErr, vnow(ctx))
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("the caller was cancelled: %v", err)
		}
		return nil
	})
}

// A child that times out on its own fails the Gather with ErrTimeout.
func TestGatherChildTimeoutIsAFailure(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var siblingErr error
		_, err := asyncio.Gather(ctx,
			func(ctx context.Context) (int, error) {
				return asyncio.WaitFor(ctx, time.Second, sleepRet(time.Hour, 1))
			},
			func(ctx context.Context) (int, error) {
				siblingErr = asyncio.Sleep(ctx, time.Hour)
				return 0, siblingErr
			},
		)
		var ce *asyncio.CancelledError // the sibling is cancelled, for the child's timeout
		if !errors.Is(err, asyncio.ErrTimeout) || !errors.As(siblingErr, &ce) || !errors.Is(ce.Cause, asyncio.ErrTimeout) {
			t.Errorf("Gather %v, sibling %v", err, siblingErr)
		}
		return nil
	})
}

func TestGatherEmpty(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		res, err := asyncio.Gather[int](ctx)
		if err != nil || res == nil || len(res) != 0 {
			t.Errorf("Gather() = %#v, %v", res, err)
		}
		settled, err := asyncio.GatherSettled[int](ctx)
		if err != nil || len(settled) != 0 {
			t.Errorf("GatherSettled() = %#v, %v", settled, err)
		}
		return nil
	})
}

func TestGatherNeedsATask(t *testing.T) {
	if _, err := asyncio.Gather(context.Background(), ret(1)); !errors.Is(err, asyncio.ErrNoTask) {
		t.Errorf("Gather outside a task: %v", err)
	}
	if _, err := asyncio.GatherSettled(context.Background(), ret(1)); !errors.Is(err, asyncio.ErrNoTask) {
		t.Errorf("GatherSettled outside a task: %v", err)
	}
}

// Gather called in a task that is already cancelled: the children never
// run and Gather returns the cancellation.
func TestGatherInCancelledTask(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ran := false
		v, err := inTask(ctx, func(ctx context.Context) ([]int, error) {
			asyncio.CurrentTask(ctx).Cancel()
			return asyncio.Gather(ctx, func(ctx context.Context) (int, error) { ran = true; return 1, nil })
		})
		if !isCancel(err) || ran {
			t.Errorf("Gather = %v, %v; child ran %v", v, err, ran)
		}
		return nil
	})
}

// GatherSettled lets every child finish, whatever fails, and returns each
// outcome in argument order; a panic comes back as its *PanicError.
func TestGatherSettledCollectsEveryOutcome(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		lateFinished := false
		res, err := asyncio.GatherSettled(ctx,
			sleepRet(time.Second, "a"),
			sleepFail[string](0, boom),
			func(ctx context.Context) (string, error) {
				if err := asyncio.Sleep(ctx, 5*time.Second); err != nil {
					return "", err
				}
				lateFinished = true
				return "late", nil
			},
			func(ctx context.Context) (string, error) {
				asyncio.Sleep(ctx, 2*time.Second)
				panic("broke")
			},
			func(ctx context.Context) (string, error) {
				asyncio.CurrentTask(ctx).Cancel()
				return "", asyncio.Sleep(ctx, time.Hour)
			},
		)
		if err != nil {
			t.Fatalf("GatherSettled = %v", err)
		}
		if !lateFinished || vnow(ctx) != 5*time.Second {
			t.Errorf("late child finished %v; returned at %v", lateFinished, vnow(ctx))
		}
		if len(res) != 5 {
			t.Fatalf("%d results", len(res))
		}
		if res[0] != (asyncio.Result[string]{Value: "a"}) || res[2] != (asyncio.Result[string]{Value: "late"}) {
			t.Errorf("successes %+v, %+v", res[0], res[2])
		}
		if res[1].Err != boom {
			t.Errorf("failure %+v", res[1])
		}
		var pe *asyncio.PanicError
		if !errors.As(res[3].Err, &pe) || pe.Value != "broke" {
			t.Errorf("panic %+v", res[3])
		}
		if !isCancel(res[4].Err) {
			t.Errorf("cancelled child %+v", res[4])
		}
		return nil
	})
}

// Cancelling the caller of GatherSettled cancels the children, waits for
// them, and returns every outcome with the cancellation.
func TestGatherSettledCallerCancelled(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var returnedAt time.Duration
		caller := asyncio.Spawn(ctx, func(ctx context.Context) ([]asyncio.Result[int], error) {
			res, err := asyncio.GatherSettled(ctx,
				sleepRet(time.Second, 1),
				func(ctx context.Context) (int, error) {
					err := asyncio.Sleep(ctx, time.Hour)
					asyncio.Sleep(context.WithoutCancel(ctx), time.Second)
					return 2, err
				},
			)
			returnedAt = vnow(ctx)
			return res, err
		})
		asyncio.Sleep(ctx, 2*time.Second)
		caller.Cancel()
		res, err := caller.Wait(ctx)
		if !isCancel(err) {
			t.Errorf("GatherSettled in a cancelled task: %v", err)
		}
		// Wait returns no value with an error; Result has it.
		res, _ = caller.Result()
		if len(res) != 2 || res[0].Value != 1 || res[0].Err != nil || res[1].Value != 2 || !isCancel(res[1].Err) {
			t.Errorf("results %+v", res)
		}
		if returnedAt != 3*time.Second {
			t.Errorf("returned at %v", returnedAt)
		}
		return nil
	})
}

// Cancellation reaches the children in a deterministic order: spawn order,
// as asyncio's gather cancels its children in argument order. Tests that
// rely on virtual time need the same run every time.
func TestGatherCancelWakesChildrenInOrder(t *testing.T) {
	for run := range 5 {
		asynciotest.Run(t, func(ctx context.Context) error {
			var order []int
			fns := make([]func(context.Context) (int, error), 8)
			for i := range fns {
				fns[i] = func(ctx context.Context) (int, error) {
					err := asyncio.Sleep(ctx, time.Hour)
					order = append(order, i)
					return i, err
				}
			}
			caller := asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) { return asyncio.Gather(ctx, fns...) })
			asyncio.Sleep(ctx, time.Second)
			caller.Cancel()
			caller.Wait(ctx)
			if want := []int{0, 1, 2, 3, 4, 5, 6, 7}; !slices.Equal(order, want) {
				t.Errorf("run %d: children observed the cancellation in order %v", run, order)
			}
			return nil
		})
	}
}

// The siblings of a failed child see the failure as their cancellation's
// cause, and GatherNamed names the children's tasks.
func TestGatherCancelCauseAndNames(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var cause, waitErr error
		var name string
		_, err := asyncio.GatherNamed(ctx, []string{"slow", ""},
			func(ctx context.Context) (int, error) {
				name = asyncio.CurrentTask(ctx).Name()
				waitErr = asyncio.Sleep(ctx, time.Hour)
				cause = asyncio.Cause(ctx)
				return 0, waitErr
			},
			func(ctx context.Context) (int, error) {
				if err := asyncio.Sleep(ctx, time.Second); err != nil {
					return 0, err
				}
				return 0, boom
			})
		if !errors.Is(err, boom) {
			t.Errorf("Gather: %v", err)
		}
		if cause != boom || !errors.Is(waitErr, boom) || !errors.Is(waitErr, context.Canceled) {
			t.Errorf("sibling: cause %v, wait %v; want boom as the cause of a cancellation", cause, waitErr)
		}
		if name != "slow" {
			t.Errorf("child named %q", name)
		}
		return nil
	})
}
