package asyncio_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// spawnSleepers spawns one task per duration, each returning its index
// after sleeping that long.
func spawnSleepers(ctx context.Context, ds ...time.Duration) []*asyncio.Task[int] {
	var out []*asyncio.Task[int]
	for i, d := range ds {
		out = append(out, asyncio.Spawn(ctx, sleepRet(d, i)))
	}
	return out
}

func TestWaitAllCompleted(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, 3*time.Second, time.Second, 2*time.Second)
		done, pending, err := asyncio.Wait(ctx, tasks, asyncio.AllCompleted)
		if err != nil || len(pending) != 0 {
			t.Fatalf("err %v, pending %v", err, pending)
		}
		if got := names(tasks, done); !slices.Equal(got, []int{0, 1, 2}) {
			t.Errorf("done %v, want argument order", got)
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("returned at %v", vnow(ctx))
		}
		return nil
	})
}

// FirstCompleted returns as soon as one is done; the others are not
// cancelled and finish on their own.
func TestWaitFirstCompleted(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, 3*time.Second, time.Second, 2*time.Second, time.Second)
		done, pending, err := asyncio.Wait(ctx, tasks, asyncio.FirstCompleted)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(tasks, done); !slices.Equal(got, []int{1, 3}) {
			t.Errorf("done %v, want [1 3] (both finished at 1s)", got)
		}
		if got := names(tasks, pending); !slices.Equal(got, []int{0, 2}) {
			t.Errorf("pending %v, want [0 2]", got)
		}
		if vnow(ctx) != time.Second {
			t.Errorf("returned at %v", vnow(ctx))
		}
		for _, p := range pending {
			if v, err := p.Wait(ctx); err != nil || p.Cancelled() {
				t.Errorf("pending task ended with %v, %v", v, err)
			}
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("pending tasks ended at %v", vnow(ctx))
		}
		return nil
	})
}

// FirstError returns at the first failure; a cancellation is not one.
func TestWaitFirstError(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		cancelled := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Second)
			asyncio.CurrentTask(ctx).Cancel()
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		failing := asyncio.Spawn(ctx, sleepFail[int](2*time.Second, boom))
		ok := asyncio.Spawn(ctx, sleepRet(3*time.Second, 3))
		all := []*asyncio.Task[int]{ok, failing, cancelled}
		done, pending, err := asyncio.Wait(ctx, all, asyncio.FirstError)
		if err != nil {
			t.Fatal(err)
		}
		if got := names(all, done); !slices.Equal(got, []int{1, 2}) {
			t.Errorf("done %v, want [1 2]", got)
		}
		if got := names(all, pending); !slices.Equal(got, []int{0}) {
			t.Errorf("pending %v, want [0]", got)
		}
		if vnow(ctx) != 2*time.Second {
			t.Errorf("returned at %v, want 2s (the cancellation at 1s does not count)", vnow(ctx))
		}
		if failing.Err() != boom || !cancelled.Cancelled() {
			t.Errorf("failing %v, cancelled %v", failing.Err(), cancelled.Err())
		}
		if v, err := ok.Wait(ctx); v != 3 || err != nil {
			t.Errorf("pending task %v, %v", v, err)
		}

		// Nothing fails: it returns when all are done.
		tasks := spawnSleepers(ctx, time.Second, 2*time.Second)
		done, pending, err = asyncio.Wait(ctx, tasks, asyncio.FirstError)
		if err != nil || len(done) != 2 || len(pending) != 0 || vnow(ctx) != 5*time.Second {
			t.Errorf("no failure: done %d pending %d err %v at %v", len(done), len(pending), err, vnow(ctx))
		}
		return nil
	})
}

// A panic counts as a failure for FirstError.
func TestWaitFirstErrorPanic(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		bad := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Second)
			panic("broke")
		})
		slow := asyncio.Spawn(ctx, sleepRet(time.Hour, 0))
		done, _, err := asyncio.Wait(ctx, []*asyncio.Task[int]{bad, slow}, asyncio.FirstError)
		if err != nil || len(done) != 1 || vnow(ctx) != time.Second {
			t.Errorf("done %d, err %v, at %v", len(done), err, vnow(ctx))
		}
		var pe *asyncio.PanicError
		if !errors.As(bad.Err(), &pe) {
			t.Errorf("Err = %v", bad.Err())
		}
		slow.Cancel()
		slow.Wait(ctx)
		return nil
	})
}

// A task that timed out on its own failed: FirstError counts ErrTimeout
// (asyncio's TimeoutError is an exception, not a cancellation).
func TestWaitFirstErrorCountsTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		timedOut := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.WaitFor(ctx, time.Second, sleepRet(time.Hour, 1))
		})
		slow := asyncio.Spawn(ctx, sleepRet(time.Hour, 0))
		done, _, err := asyncio.Wait(ctx, []*asyncio.Task[int]{timedOut, slow}, asyncio.FirstError)
		if err != nil || len(done) != 1 || vnow(ctx) != time.Second {
			t.Errorf("done %d, err %v, returned at %v", len(done), err, vnow(ctx))
		}
		if !errors.Is(timedOut.Err(), asyncio.ErrTimeout) {
			t.Errorf("Err = %v", timedOut.Err())
		}
		slow.Cancel()
		slow.Wait(ctx)
		return nil
	})
}

// If ctx ends first, Wait returns the split at that moment with ctx's
// error; nothing is cancelled.
func TestWaitCtxEnds(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, time.Second, 2*time.Second, time.Second)
		var done, pending []*asyncio.Task[int]
		var werr error
		err := asyncio.Timeout(ctx, 1500*time.Millisecond, func(ctx context.Context) error {
			done, pending, werr = asyncio.Wait(ctx, tasks, asyncio.AllCompleted)
			return werr
		})
		if !errors.Is(werr, context.DeadlineExceeded) || !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Wait err %v, Timeout %v", werr, err)
		}
		if got := names(tasks, done); !slices.Equal(got, []int{0, 2}) {
			t.Errorf("done %v", got)
		}
		if got := names(tasks, pending); !slices.Equal(got, []int{1}) {
			t.Errorf("pending %v", got)
		}
		if v, err := pending[0].Wait(ctx); v != 1 || err != nil {
			t.Errorf("the pending task was disturbed: %v, %v", v, err)
		}

		// The caller cancelled.
		tasks = spawnSleepers(ctx, time.Second, time.Hour)
		caller := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			done, pending, err := asyncio.Wait(ctx, tasks, asyncio.AllCompleted)
			return len(done)*10 + len(pending), err
		})
		asyncio.Sleep(ctx, 2*time.Second)
		caller.Cancel()
		n, err := caller.Wait(ctx)
		if !isCancel(err) || n != 11 {
			t.Errorf("cancelled Wait: %d, %v", n, err)
		}
		if tasks[1].Done() {
			t.Error("Wait cancelled a pending task")
		}
		tasks[1].Cancel()
		tasks[1].Wait(ctx)
		return nil
	})
}

func TestWaitEmpty(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		done, pending, err := asyncio.Wait(ctx, []asyncio.Awaitable{}, asyncio.AllCompleted)
		if !errors.Is(err, asyncio.ErrNothingToWait) || done != nil || pending != nil {
			t.Errorf("Wait(nothing) = %v, %v, %v", done, pending, err)
		}
		return nil
	})
}

// Futures and tasks mix; already-done ones count at once.
func TestWaitMixedAwaitables(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[string](ctx)
		g := asyncio.NewFuture[int](ctx)
		g.SetResult(1)
		task := asyncio.Spawn(ctx, sleepRet(time.Second, 2))
		aws := []asyncio.Awaitable{f, g, task}
		done, pending, err := asyncio.Wait(ctx, aws, asyncio.FirstCompleted)
		if err != nil || len(done) != 1 || done[0] != asyncio.Awaitable(g) || len(pending) != 2 || vnow(ctx) != 0 {
			t.Errorf("done %v pending %v err %v at %v", done, pending, err, vnow(ctx))
		}
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, 2*time.Second)
			f.SetResult("x")
			return 0, nil
		})
		done, pending, err = asyncio.Wait(ctx, aws, asyncio.AllCompleted)
		if err != nil || len(done) != 3 || len(pending) != 0 || vnow(ctx) != 2*time.Second {
			t.Errorf("done %v pending %v err %v at %v", done, pending, err, vnow(ctx))
		}
		if !slices.Equal(done, aws) {
			t.Errorf("done %v not in argument order", done)
		}
		return nil
	})
}

// From a goroutine that is not a task, Wait blocks until the condition
// holds.
func TestWaitFromPlainGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, time.Second, 2*time.Second)
		result := asyncio.NewFuture[int](ctx)
		go func() {
			done, pending, err := asyncio.Wait(context.Background(), tasks, asyncio.AllCompleted)
			if err != nil {
				result.SetError(err)
				return
			}
			result.SetResult(len(done)*10 + len(pending))
		}()
		if n, err := result.Wait(ctx); n != 20 || err != nil {
			t.Errorf("goroutine's Wait = %v, %v", n, err)
		}
		return nil
	})
}

// AsCompleted yields in completion order, not argument order, each when it
// finishes.
func TestAsCompletedOrder(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, 3*time.Second, time.Second, 2*time.Second)
		var order []int
		var times []time.Duration
		for a, err := range asyncio.AsCompleted(ctx, tasks) {
			if err != nil {
				t.Fatal(err)
			}
			v, err := a.Result()
			if err != nil {
				t.Fatal(err)
			}
			order = append(order, v)
			times = append(times, vnow(ctx))
		}
		if !slices.Equal(order, []int{1, 2, 0}) {
			t.Errorf("order %v", order)
		}
		if !slices.Equal(times, []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}) {
			t.Errorf("times %v", times)
		}
		return nil
	})
}

// Those already done come first, in argument order.
func TestAsCompletedAlreadyDone(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		a, b, c := asyncio.NewFuture[int](ctx), asyncio.NewFuture[int](ctx), asyncio.NewFuture[int](ctx)
		c.SetResult(3)
		a.SetResult(1)
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, time.Second)
			b.SetResult(2)
			return 0, nil
		})
		var got []int
		for f, err := range asyncio.AsCompleted(ctx, []*asyncio.Future[int]{a, b, c}) {
			if err != nil {
				t.Fatal(err)
			}
			v, _ := f.Result()
			got = append(got, v)
		}
		if !slices.Equal(got, []int{1, 3, 2}) {
			t.Errorf("got %v", got)
		}
		return nil
	})
}

// Breaking out early leaves the rest running, uncancelled.
func TestAsCompletedBreak(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, 2*time.Second, time.Second, 3*time.Second)
		var first *asyncio.Task[int]
		for a, err := range asyncio.AsCompleted(ctx, tasks) {
			if err != nil {
				t.Fatal(err)
			}
			first = a
			break
		}
		if first != tasks[1] || vnow(ctx) != time.Second {
			t.Errorf("first %v at %v", first, vnow(ctx))
		}
		for i, task := range tasks {
			if v, err := task.Wait(ctx); v != i || err != nil {
				t.Errorf("task %d: %v, %v", i, v, err)
			}
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("time %v", vnow(ctx))
		}
		return nil
	})
}

// ctx ending mid-iteration yields its error once and stops; the rest are
// not cancelled.
func TestAsCompletedCtxEnds(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, time.Second, 2*time.Second, 3*time.Second)
		var got []int
		var errs []error
		err := asyncio.Timeout(ctx, 1500*time.Millisecond, func(ctx context.Context) error {
			for a, err := range asyncio.AsCompleted(ctx, tasks) {
				if err != nil {
					if a != nil {
						t.Errorf("yielded %v with the error", a)
					}
					errs = append(errs, err)
					continue
				}
				v, _ := a.Result()
				got = append(got, v)
			}
			return errs[0]
		})
		if !errors.Is(err, asyncio.ErrTimeout) || len(errs) != 1 || !errors.Is(errs[0], context.DeadlineExceeded) {
			t.Errorf("Timeout %v, errors yielded %v", err, errs)
		}
		if !slices.Equal(got, []int{0}) {
			t.Errorf("got %v", got)
		}
		for _, task := range tasks[1:] {
			if _, err := task.Wait(ctx); err != nil {
				t.Errorf("a task left behind was disturbed: %v", err)
			}
		}
		return nil
	})
}

// An awaitable listed twice is yielded once, as asyncio's as_completed
// takes a set: a pending one and one already done.
func TestAsCompletedDedupes(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		tasks := spawnSleepers(ctx, 2*time.Second, time.Second)
		done := asyncio.NewFuture[int](ctx)
		done.SetResult(7)
		aws := []asyncio.Awaitable{tasks[0], done, tasks[1], tasks[0], done, tasks[1]}
		var got []asyncio.Awaitable
		for a, err := range asyncio.AsCompleted(ctx, aws) {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, a)
		}
		want := []asyncio.Awaitable{done, tasks[1], tasks[0]}
		if !slices.Equal(got, want) {
			t.Errorf("yielded %v, want %v", got, want)
		}
		return nil
	})
}
