package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestTaskGroupWaitsForEveryChild(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var a *asyncio.Task[int]
		var b *asyncio.Task[string]
		ran := false
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			a = asyncio.SpawnIn(g, sleepRet(3*time.Second, 7))
			b = asyncio.SpawnIn(g, sleepRet(time.Second, "x"), asyncio.Name("b"))
			g.Go(func(ctx context.Context) error {
				err := asyncio.Sleep(ctx, 2*time.Second)
				ran = true
				return err
			})
			return nil // the body ends first
		})
		if err != nil {
			t.Fatal(err)
		}
		if vnow(ctx) != 3*time.Second || !ran {
			t.Errorf("returned at %v, Go child ran %v", vnow(ctx), ran)
		}
		// Typed results, after the group.
		if v, err := a.Result(); v != 7 || err != nil {
			t.Errorf("a = %v, %v", v, err)
		}
		if v, err := b.Result(); v != "x" || err != nil || b.Name() != "b" {
			t.Errorf("b = %q, %v (%s)", v, err, b.Name())
		}
		return nil
	})
}

// The first failure cancels the siblings and the body, and the group
// returns it; the cancellations it caused are not failures.
func TestTaskGroupFirstFailureCancelsSiblingsAndBody(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var siblingErr, bodyErr error
		var siblingAt, bodyAt time.Duration
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				siblingErr = asyncio.Sleep(ctx, time.Hour)
				siblingAt = vnow(ctx)
				return siblingErr
			})
			g.Go(sleepErr(time.Second, boom))
			bodyErr = asyncio.Sleep(ctx, time.Hour)
			bodyAt = vnow(ctx)
			return bodyErr
		})
		if !errors.Is(err, boom) || len(joined(err)) != 1 {
			t.Errorf("group returned %v", err)
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("the cancellations the failure caused count as failures: %v", err)
		}
		if !isCancel(siblingErr) || siblingAt != time.Second {
			t.Errorf("sibling %v at %v", siblingErr, siblingAt)
		}
		if !isCancel(bodyErr) || bodyAt != time.Second {
			t.Errorf("body %v at %v", bodyErr, bodyAt)
		}
		// The owner is not cancelled.
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("owner after the group: %v", err)
		}
		return nil
	})
}

// The group waits for every child however often its owner is cancelled
// meanwhile, and then returns the cancellation.
func TestTaskGroupWaitsUnderRepeatedOwnerCancel(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var cleaned []string
		var returnedAt time.Duration
		owner := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				for i := range 3 {
					g.Go(func(ctx context.Context) error {
						err := asyncio.Sleep(ctx, time.Hour)
						// Shielded cleanup that outlasts every cancel.
						if e := asyncio.Sleep(context.WithoutCancel(ctx), 10*time.Second); e != nil {
							return e
						}
						cleaned = append(cleaned, fmt.Sprintf("child %d: %v", i, isCancel(err)))
						return err
					})
				}
				return asyncio.Sleep(ctx, time.Hour)
			})
			returnedAt = vnow(ctx)
			return 0, err
		})
		for range 3 {
			asyncio.Sleep(ctx, time.Second)
			if !owner.Cancel() {
				t.Error("Cancel of the owner returned false while it waits")
			}
		}
		_, err := owner.Wait(ctx)
		if !isCancel(err) {
			t.Errorf("group in a cancelled owner returned %v", err)
		}
		if len(cleaned) != 3 {
			t.Errorf("cleaned %v", cleaned)
		}
		for _, c := range cleaned {
			if !strings.HasSuffix(c, "true") {
				t.Errorf("%s", c)
			}
		}
		if returnedAt != 11*time.Second {
			t.Errorf("the group returned at %v, want 11s (1s + 10s of cleanup)", returnedAt)
		}
		return nil
	})
}

// Every failure is returned, joined in the order it happened: the first
// child's, a sibling's that failed on its way out, the body's own.
func TestTaskGroupFailuresJoinedInOrder(t *testing.T) {
	errA, errB, errBody := errors.New("a"), errors.New("b on cancel"), errors.New("body")
	asynciotest.Run(t, func(ctx context.Context) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(sleepErr(time.Second, errA))
			g.Go(func(ctx context.Context) error {
				if asyncio.Sleep(ctx, time.Hour) != nil {
					return errB
				}
				return nil
			})
			g.Go(func(ctx context.Context) error { return asyncio.Sleep(ctx, time.Hour) })
			if asyncio.Sleep(ctx, time.Hour) != nil {
				return errBody
			}
			return nil
		})
		for _, e := range []error{errA, errB, errBody} {
			if !errors.Is(err, e) {
				t.Errorf("%v is missing from %v", e, err)
			}
		}
		if errors.Is(err, context.Canceled) {
			t.Errorf("a cancellation was counted as a failure: %v", err)
		}
		if got := joined(err); !slices.Equal(got, []error{errA, errB, errBody}) {
			t.Errorf("joined %v, want [a, b on cancel, body] in order", got)
		}
		return nil
	})
}

// The body's own error fails the group and cancels the children.
func TestTaskGroupBodyError(t *testing.T) {
	errBody := errors.New("body")
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr error
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				childErr = asyncio.Sleep(ctx, time.Hour)
				return childErr
			})
			asyncio.Sleep(ctx, time.Second)
			// A child spawned just before the failure never runs.
			g.Go(func(ctx context.Context) error {
				t.Error("a child cancelled before its first step ran")
				return nil
			})
			return errBody
		})
		if !errors.Is(err, errBody) || len(joined(err)) != 1 {
			t.Errorf("group %v", err)
		}
		if !isCancel(childErr) || vnow(ctx) != time.Second {
			t.Errorf("child %v at %v", childErr, vnow(ctx))
		}
		return nil
	})
}

// A child cancelled on its own is not a failure: the group and the other
// children go on.
func TestTaskGroupChildCancelledAloneIsNotAFailure(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var victim *asyncio.Task[int]
		var other *asyncio.Task[string]
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			victim = asyncio.SpawnIn(g, sleepRet(time.Hour, 1))
			other = asyncio.SpawnIn(g, sleepRet(2*time.Second, "ok"))
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				return err
			}
			victim.Cancel()
			return asyncio.Sleep(ctx, 0) // the body is not cancelled
		})
		if err != nil {
			t.Errorf("group %v", err)
		}
		if !victim.Cancelled() {
			t.Errorf("victim %v", victim.Err())
		}
		if v, err := other.Result(); v != "ok" || err != nil || vnow(ctx) != 2*time.Second {
			t.Errorf("other %q, %v at %v", v, err, vnow(ctx))
		}
		return nil
	})
}

// A child that times out on its own has failed: asyncio's TimeoutError is
// an exception, not a cancellation.
func TestTaskGroupChildTimeoutIsAFailure(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var siblingErr error
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				return asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
					return asyncio.Sleep(ctx, time.Hour)
				})
			})
			g.Go(func(ctx context.Context) error {
				siblingErr = asyncio.Sleep(ctx, time.Hour)
				return siblingErr
			})
			return nil
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("group %v, want the child's ErrTimeout", err)
		}
		// The sibling is cancelled, for the child's timeout.
		var ce *asyncio.CancelledError
		if !errors.As(siblingErr, &ce) || !errors.Is(ce.Cause, asyncio.ErrTimeout) || vnow(ctx) != time.Second {
			t.Errorf("sibling %v at %v", siblingErr, vnow(ctx))
		}
		return nil
	})
}

// A group inside an expired timeout scope: the expiry cancels everything
// and is not a failure of the group; the scope converts it.
func TestTaskGroupInsideTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr, groupErr error
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			groupErr = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error {
					childErr = asyncio.Sleep(ctx, time.Hour)
					return childErr
				})
				return nil
			})
			return groupErr
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Timeout %v", err)
		}
		if !errors.Is(childErr, context.DeadlineExceeded) || !errors.Is(groupErr, context.DeadlineExceeded) || len(joined(groupErr)) != 1 {
			t.Errorf("child %v, group %v", childErr, groupErr)
		}
		return nil
	})
}

// Cancelled from outside with nothing failed, the group returns the
// cancellation (with its cause).
func TestTaskGroupOuterCancelReturnsCancellation(t *testing.T) {
	cause := errors.New("stop")
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr error
		owner := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error {
					childErr = asyncio.Sleep(ctx, time.Hour)
					return childErr
				})
				return nil
			})
		})
		asyncio.Sleep(ctx, time.Second)
		owner.CancelCause(cause)
		_, err := owner.Wait(ctx)
		if !isCancel(err) || !errors.Is(err, cause) {
			t.Errorf("group %v", err)
		}
		if !isCancel(childErr) || !errors.Is(childErr, cause) {
			t.Errorf("child %v", childErr)
		}
		return nil
	})
}

// TaskGroup.Cancel cancels the children and the body; it is not a failure.
func TestTaskGroupCancelReturnsNil(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr, bodyErr error
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				childErr = asyncio.Sleep(ctx, time.Hour)
				return childErr
			})
			asyncio.Sleep(ctx, time.Second)
			g.Cancel()
			bodyErr = asyncio.Sleep(ctx, time.Hour)
			return bodyErr
		})
		if err != nil {
			t.Errorf("cancelled group returned %v", err)
		}
		if !isCancel(childErr) || !isCancel(bodyErr) || vnow(ctx) != time.Second {
			t.Errorf("child %v, body %v, at %v", childErr, bodyErr, vnow(ctx))
		}
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			t.Errorf("owner after the group: %v", err)
		}
		return nil
	})
}

// Spawning into a group that is being cancelled starts a child that never
// runs its body.
func TestTaskGroupSpawnWhileCancelling(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ran := false
		var late *asyncio.Task[int]
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Cancel()
			late = asyncio.SpawnIn(g, func(ctx context.Context) (int, error) { ran = true; return 1, nil })
			return nil
		})
		if err != nil || ran || !late.Cancelled() {
			t.Errorf("group %v, child ran %v, cancelled %v", err, ran, late.Cancelled())
		}
		return nil
	})
}

func TestTaskGroupSpawnInAfterEndPanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var kept *asyncio.TaskGroup
		asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			kept = g
			return nil
		})
		r := mustPanic(t, func() { asyncio.SpawnIn(kept, ret(1)) })
		if !strings.Contains(fmt.Sprint(r), "ended") {
			t.Errorf("panic %v", r)
		}
		mustPanic(t, func() { kept.Go(func(context.Context) error { return nil }) })
		return nil
	})
}

func TestTaskGroupNeedsATask(t *testing.T) {
	err := asyncio.WithTaskGroup(context.Background(), func(ctx context.Context, g *asyncio.TaskGroup) error {
		t.Error("body ran")
		return nil
	})
	if !errors.Is(err, asyncio.ErrNoTask) {
		t.Errorf("WithTaskGroup outside a task: %v", err)
	}
}

// A panic in a child is re-raised, as a *PanicError, once every child has
// ended.
func TestTaskGroupChildPanicReRaisedAfterAllEnded(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		siblingDone := false
		r := mustPanic(t, func() {
			asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error {
					err := asyncio.Sleep(ctx, time.Hour)
					asyncio.Sleep(context.WithoutCancel(ctx), 2*time.Second)
					siblingDone = true
					return err
				})
				g.Go(func(ctx context.Context) error {
					asyncio.Sleep(ctx, time.Second)
					panic("child broke")
				})
				return nil
			})
		})
		pe, ok := r.(*asyncio.PanicError)
		if !ok || pe.Value != "child broke" {
			t.Errorf("recovered %v", r)
		}
		if !siblingDone || vnow(ctx) != 3*time.Second {
			t.Errorf("re-raised at %v, sibling done %v", vnow(ctx), siblingDone)
		}
		return nil
	})
}

// A panic in the body cancels the children and is re-raised as it is once
// they have ended.
func TestTaskGroupBodyPanic(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr error
		r := mustPanic(t, func() {
			asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error {
					childErr = asyncio.Sleep(ctx, time.Hour)
					asyncio.Sleep(context.WithoutCancel(ctx), time.Second)
					return childErr
				})
				asyncio.Sleep(ctx, time.Second)
				panic("body broke")
			})
		})
		if r != "body broke" {
			t.Errorf("recovered %v", r)
		}
		if !isCancel(childErr) || vnow(ctx) != 2*time.Second {
			t.Errorf("child %v, re-raised at %v", childErr, vnow(ctx))
		}
		return nil
	})
}

// Nested groups: an inner failure fails the outer group too.
func TestTaskGroupNested(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var outerChildErr error
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, outer *asyncio.TaskGroup) error {
			outer.Go(func(ctx context.Context) error {
				outerChildErr = asyncio.Sleep(ctx, time.Hour)
				return outerChildErr
			})
			outer.Go(func(ctx context.Context) error {
				return asyncio.WithTaskGroup(ctx, func(ctx context.Context, inner *asyncio.TaskGroup) error {
					inner.Go(sleepErr(time.Second, boom))
					return nil
				})
			})
			return nil
		})
		if !errors.Is(err, boom) || !isCancel(outerChildErr) || vnow(ctx) != time.Second {
			t.Errorf("outer %v, outer child %v, at %v", err, outerChildErr, vnow(ctx))
		}
		return nil
	})
}

// --- Start ---

// Start returns the value the child passes to started; the child keeps
// running in the group.
func TestTaskGroupStart(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var startedAt time.Duration
		childEnded := false
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			addr, err := asyncio.Start(ctx, g, func(ctx context.Context, started func(string)) error {
				if err := asyncio.Sleep(ctx, time.Second); err != nil {
					return err
				}
				started("127.0.0.1:80")
				if err := asyncio.Sleep(ctx, 4*time.Second); err != nil {
					return err
				}
				childEnded = true
				return nil
			})
			startedAt = vnow(ctx)
			if addr != "127.0.0.1:80" || err != nil {
				t.Errorf("Start = %q, %v", addr, err)
			}
			if childEnded {
				t.Error("Start waited for the child to end")
			}
			return nil
		})
		if err != nil || !childEnded {
			t.Errorf("group %v, child ended %v", err, childEnded)
		}
		if startedAt != time.Second || vnow(ctx) != 5*time.Second {
			t.Errorf("Start returned at %v, group at %v", startedAt, vnow(ctx))
		}
		return nil
	})
}

// A child that fails before calling started: Start returns its error, and
// the group does not count it as a failure.
func TestTaskGroupStartChildFailsBeforeStarted(t *testing.T) {
	boom := errors.New("cannot listen")
	asynciotest.Run(t, func(ctx context.Context) error {
		var startErr error
		otherDone := false
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				err := asyncio.Sleep(ctx, 3*time.Second)
				otherDone = err == nil
				return err
			})
			_, startErr = asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error {
				asyncio.Sleep(ctx, time.Second)
				return boom
			})
			if vnow(ctx) < time.Second || vnow(ctx) > time.Second+time.Millisecond {
				t.Errorf("Start returned at %v", vnow(ctx))
			}
			return nil
		})
		if startErr != boom {
			t.Errorf("Start = %v", startErr)
		}
		if err != nil || !otherDone {
			t.Errorf("group %v (the failed start counted), sibling done %v", err, otherDone)
		}

		// Returning nil without calling started is an error of Start too.
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			_, startErr = asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error { return nil })
			return nil
		})
		if startErr == nil || err != nil {
			t.Errorf("Start of a child that never started: %v; group %v", startErr, err)
		}
		return nil
	})
}

// A child that panics before calling started: Start re-panics.
func TestTaskGroupStartChildPanicsBeforeStarted(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			r := mustPanic(t, func() {
				asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error { panic("early") })
			})
			if pe, ok := r.(*asyncio.PanicError); !ok || pe.Value != "early" {
				t.Errorf("Start panicked with %v", r)
			}
			return nil
		})
		if err != nil {
			t.Errorf("group %v", err)
		}
		return nil
	})
}

// Calling started twice panics in the child, which fails the group.
func TestTaskGroupStartedTwicePanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var v int
		r := mustPanic(t, func() {
			asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				v, _ = asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error {
					started(1)
					started(2)
					return nil
				})
				return nil
			})
		})
		pe, ok := r.(*asyncio.PanicError)
		if !ok || !strings.Contains(fmt.Sprint(pe.Value), "twice") {
			t.Errorf("recovered %v", r)
		}
		if v != 1 {
			t.Errorf("Start returned %v, want the first value", v)
		}
		return nil
	})
}

// If the caller of Start is cancelled while it waits, the child is
// cancelled and Start returns the cancellation.
func TestTaskGroupStartCallerCancelled(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var childErr, startErr error
		owner := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 0, asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				_, startErr = asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error {
					childErr = asyncio.Sleep(ctx, time.Hour)
					return childErr
				})
				return startErr
			})
		})
		asyncio.Sleep(ctx, time.Second)
		owner.Cancel()
		_, err := owner.Wait(ctx)
		if !isCancel(err) || !isCancel(startErr) || !isCancel(childErr) {
			t.Errorf("group %v, Start %v, child %v", err, startErr, childErr)
		}
		return nil
	})
}

// A child's failure is the cause of its siblings' and the body's
// cancellation.
func TestTaskGroupCancelCause(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		var sibling, body error
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			asyncio.SpawnIn(g, func(ctx context.Context) (int, error) {
				derived, cancel := context.WithCancel(ctx) // made before the failure
				defer cancel()
				err := asyncio.Sleep(ctx, time.Hour)
				sibling = asyncio.Cause(ctx)
				if c := context.Cause(ctx); c != boom {
					t.Errorf("context.Cause of the sibling's ctx: %v", c)
				}
				if c := context.Cause(derived); c != boom {
					t.Errorf("context.Cause of a context made from it: %v", c)
				}
				return 0, err
			})
			asyncio.SpawnIn(g, func(ctx context.Context) (int, error) {
				asyncio.Sleep(ctx, time.Second)
				return 0, boom
			})
			err := asyncio.Sleep(ctx, time.Hour)
			body = asyncio.Cause(ctx)
			return err
		})
		if !errors.Is(err, boom) || sibling != boom || body != boom {
			t.Errorf("group %v; causes: sibling %v, body %v", err, sibling, body)
		}
		return nil
	})
}

// context.Cause of a task's ctx is the cause given to CancelCause, or
// context.Canceled after Cancel, also when a context of the standard
// library that was not cancelled lies between the task and the loop.
func TestContextCauseOfCancelledTask(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		outer, cancel := context.WithCancel(ctx)
		defer cancel()
		why := errors.New("no longer needed")
		var plain, withCause error
		a := asyncio.Spawn(outer, func(ctx context.Context) (int, error) {
			err := asyncio.Sleep(ctx, time.Hour)
			plain = context.Cause(ctx)
			return 0, err
		})
		b := asyncio.Spawn(outer, func(ctx context.Context) (int, error) {
			err := asyncio.Sleep(ctx, time.Hour)
			withCause = context.Cause(ctx)
			return 0, err
		})
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		a.Cancel()
		b.CancelCause(why)
		a.Wait(ctx)
		b.Wait(ctx)
		if plain != context.Canceled || withCause != why {
			t.Errorf("context.Cause: %v after Cancel, %v after CancelCause", plain, withCause)
		}
		return nil
	})
}
