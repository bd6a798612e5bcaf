package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// An awaitPoint is one kind of wait. Left alone, await suspends the task
// and then completes with nil after a second or two of virtual time.
type awaitPoint struct {
	name  string
	await func(ctx context.Context) error
}

func awaitPoints() []awaitPoint {
	return []awaitPoint{
		{name: "Sleep(0)", await: func(ctx context.Context) error {
			return asyncio.Sleep(ctx, 0)
		}},
		{name: "Sleep(d)", await: func(ctx context.Context) error {
			return asyncio.Sleep(ctx, time.Second)
		}},
		{name: "Future.Wait", await: func(ctx context.Context) error {
			f := asyncio.NewFuture[int](ctx)
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				if err := asyncio.Sleep(ctx, time.Second); err != nil {
					return 0, err
				}
				f.SetResult(1)
				return 0, nil
			})
			_, err := f.Wait(ctx)
			return err
		}},
		{name: "Task.Wait", await: func(ctx context.Context) error {
			_, err := asyncio.Spawn(ctx, sleepRet(time.Second, 1)).Wait(ctx)
			return err
		}},
		{name: "Gather", await: func(ctx context.Context) error {
			_, err := asyncio.Gather(ctx, sleepRet(time.Second, 1), sleepRet(2*time.Second, 2))
			return err
		}},
		{name: "GatherSettled", await: func(ctx context.Context) error {
			_, err := asyncio.GatherSettled(ctx, sleepRet(time.Second, 1), sleepRet(2*time.Second, 2))
			return err
		}},
		{name: "Timeout", await: func(ctx context.Context) error {
			return asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				return asyncio.Sleep(ctx, time.Second)
			})
		}},
		{name: "WaitFor", await: func(ctx context.Context) error {
			_, err := asyncio.WaitFor(ctx, time.Hour, sleepRet(time.Second, 1))
			return err
		}},
		{name: "Sleep(0) after a scope closed", await: func(ctx context.Context) error {
			return asyncio.Sleep(ctx, 0)
		}},
		{name: "WithTaskGroup wait", await: func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error { return asyncio.Sleep(ctx, time.Second) })
				return nil
			})
		}},
		{name: "WithTaskGroup body", await: func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				g.Go(func(ctx context.Context) error { return asyncio.Sleep(ctx, 2*time.Second) })
				return asyncio.Sleep(ctx, time.Second)
			})
		}},
		{name: "Start", await: func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				_, err := asyncio.Start(ctx, g, func(ctx context.Context, started func(int)) error {
					if err := asyncio.Sleep(ctx, time.Second); err != nil {
						return err
					}
					started(1)
					return asyncio.Sleep(ctx, time.Second)
				})
				return err
			})
		}},
		{name: "Wait", await: func(ctx context.Context) error {
			tasks := []*asyncio.Task[int]{
				asyncio.Spawn(ctx, sleepRet(time.Second, 1)),
				asyncio.Spawn(ctx, sleepRet(2*time.Second, 2)),
			}
			_, _, err := asyncio.Wait(ctx, tasks, asyncio.AllCompleted)
			return err
		}},
		{name: "Wait(FirstCompleted)", await: func(ctx context.Context) error {
			tasks := []*asyncio.Task[int]{
				asyncio.Spawn(ctx, sleepRet(time.Second, 1)),
				asyncio.Spawn(ctx, sleepRet(2*time.Second, 2)),
			}
			_, _, err := asyncio.Wait(ctx, tasks, asyncio.FirstCompleted)
			return err
		}},
		{name: "AsCompleted", await: func(ctx context.Context) error {
			tasks := []*asyncio.Task[int]{
				asyncio.Spawn(ctx, sleepRet(2*time.Second, 1)),
				asyncio.Spawn(ctx, sleepRet(time.Second, 2)),
			}
			for _, err := range asyncio.AsCompleted(ctx, tasks) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		{name: "Shield", await: func(ctx context.Context) error {
			_, err := asyncio.Shield(ctx, sleepRet(time.Second, 1))
			return err
		}},
		{name: "Sleep in a nested timeout", await: func(ctx context.Context) error {
			return asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				return asyncio.Timeout(ctx, 2*time.Hour, func(ctx context.Context) error {
					return asyncio.Sleep(ctx, time.Second)
				})
			})
		}},
	}
}

// Left alone, the body passes every await point.
func TestAwaitPointsCompleteUncancelled(t *testing.T) {
	points := awaitPoints()
	asynciotest.Run(t, func(ctx context.Context) error {
		for j, p := range points {
			start := vnow(ctx)
			if err := p.await(ctx); err != nil {
				t.Errorf("point %d (%s): %v", j, p.name, err)
			}
			if !strings.HasPrefix(p.name, "Sleep(0)") && vnow(ctx) == start {
				t.Errorf("point %d (%s) did not wait", j, p.name)
			}
		}
		return nil
	})
}

// The systematic test: for every k, cancel the task exactly while it is
// suspended at await point k. That wait, and only it, must return the
// cancellation (carrying the cause), at once; the body must not get past
// it; its deferred cleanup must run.
func TestCancelAtEveryAwaitPoint(t *testing.T) {
	points := awaitPoints()
	cause := errors.New("cancelled by the test")
	for k, target := range points {
		t.Run(fmt.Sprintf("%02d_%s", k, target.name), func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				errs := make([]error, len(points))
				returnedAt := make([]time.Duration, len(points))
				passed := 0
				cleaned := false
				reached := asyncio.NewFuture[struct{}](ctx)
				task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
					defer func() { cleaned = true }()
					for j, p := range points {
						if j == k {
							// Tell the driver, then enter the wait in the
							// same step: when the driver runs, the body is
							// suspended in await k.
							reached.SetResult(struct{}{})
						}
						err := p.await(ctx)
						errs[j], returnedAt[j] = err, vnow(ctx)
						if err != nil {
							return j, err
						}
						passed = j + 1
					}
					return len(points), nil
				}, asyncio.Name("body"))

				if _, err := reached.Wait(ctx); err != nil {
					return err
				}
				cancelAt := vnow(ctx)
				if passed != k {
					t.Fatalf("the body passed %d points before reaching %d", passed, k)
				}
				task.CancelCause(cause)
				stoppedAt, err := task.Wait(ctx)

				if stoppedAt != k || passed != k {
					t.Errorf("the body stopped at point %d having passed %d; want %d", stoppedAt, passed, k)
				}
				if !isCancel(errs[k]) || !errors.Is(errs[k], cause) {
					t.Errorf("await %d (%s) returned %v, want the cancellation with its cause", k, target.name, errs[k])
				}
				for j := range k {
					if errs[j] != nil {
						t.Errorf("await %d (%s) before the cancel returned %v", j, points[j].name, errs[j])
					}
				}
				if returnedAt[k] != cancelAt {
					t.Errorf("await %d returned at %v, cancelled at %v", k, returnedAt[k], cancelAt)
				}
				if !cleaned {
					t.Error("deferred cleanup did not run")
				}
				if !isCancel(err) || !task.Cancelled() {
					t.Errorf("task ended with %v (cancelled %v)", err, task.Cancelled())
				}
				// Some await points leave the task they awaited running
				// (cancelling a waiter does not cancel what it waits
				// for): end them.
				return asynciotest.CancelPending(ctx)
			})
		})
	}
}

// The same with a timeout: the scope expires while the body is suspended
// at await point k; the wait returns the deadline error, and the scope
// turns it into ErrTimeout.
func TestTimeoutAtEveryAwaitPoint(t *testing.T) {
	points := awaitPoints()
	for k, target := range points {
		if strings.HasPrefix(target.name, "Sleep(0)") {
			continue // an expiry needs time to pass
		}
		t.Run(fmt.Sprintf("%02d_%s", k, target.name), func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				errs := make([]error, len(points))
				passed := 0
				// Reach point k without a deadline, then give it 500ms.
				s := asyncio.NewTimeout(ctx, asyncio.NoDeadline)
				var expiredAt time.Duration
				for j, p := range points[:k+1] {
					if j == k {
						expiredAt = vnow(ctx) + 500*time.Millisecond
						s.Reschedule(expiredAt)
					}
					errs[j] = p.await(s.Context())
					if errs[j] != nil {
						break
					}
					passed = j + 1
				}
				err := s.Close(errs[k])
				if passed != k || !errors.Is(errs[k], context.DeadlineExceeded) {
					t.Errorf("passed %d; await %d returned %v", passed, k, errs[k])
				}
				if !errors.Is(err, asyncio.ErrTimeout) {
					t.Errorf("Close = %v", err)
				}
				if vnow(ctx) != expiredAt {
					t.Errorf("await %d returned at %v, expiry at %v", k, vnow(ctx), expiredAt)
				}
				return asynciotest.CancelPending(ctx) // as in TestCancelAtEveryAwaitPoint
			})
		})
	}
}
