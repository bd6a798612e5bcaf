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

// Set wakes every waiter; Wait returns nil; Clear makes Wait wait again.
func TestEventSetWakesAllWaiters(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var e asyncio.Event // the zero Event is clear and ready
		if e.IsSet() {
			t.Fatal("zero Event is set")
		}
		var woke []int
		var tasks []*asyncio.Task[struct{}]
		for i := range 4 {
			tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
				if err := e.Wait(ctx); err != nil {
					return err
				}
				woke = append(woke, i)
				return nil
			}))
		}
		asyncio.Sleep(ctx, time.Second)
		if len(woke) != 0 {
			t.Fatalf("woken before Set: %v", woke)
		}
		e.Set()
		e.Set() // a second Set is harmless
		if !e.IsSet() {
			t.Fatal("IsSet false after Set")
		}
		for _, tk := range tasks {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(woke, []int{0, 1, 2, 3}) {
			t.Fatalf("woke %v, want every waiter in order", woke)
		}
		if vnow(ctx) != time.Second {
			t.Errorf("waiters woke at %v", vnow(ctx))
		}
		// Set: Wait returns at once, without looking at ctx.
		if err := e.Wait(cancelledCtx(ctx)); err != nil {
			t.Fatalf("Wait on a set event with a cancelled ctx: %v", err)
		}
		e.Clear()
		if e.IsSet() {
			t.Fatal("IsSet true after Clear")
		}
		err := asyncio.Timeout(ctx, time.Second, e.Wait)
		if !isTimeout(err) {
			t.Fatalf("Wait after Clear: %v, want a timeout", err)
		}
		return nil
	})
}

// A waiter woken by Set returns nil even if the event is cleared before it
// resumes (asyncio: the waiter's future is already resolved).
func TestEventSetThenClearStillWakes(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		e := asyncio.NewEvent()
		w := goTask(ctx, e.Wait)
		asyncio.Sleep(ctx, 0)
		e.Set()
		e.Clear()
		if err := errOf(ctx, w); err != nil {
			t.Fatalf("a waiter woken by Set then Clear returned %v", err)
		}
		if e.IsSet() {
			t.Fatal("event set after Clear")
		}
		return nil
	})
}

// A cancelled waiter returns the cancellation and does not disturb the
// others; a cancellation that arrives in the same step as Set wins.
func TestEventWaiterCancelled(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		e := asyncio.NewEvent()
		a, b, c := goTask(ctx, e.Wait), goTask(ctx, e.Wait), goTask(ctx, e.Wait)
		asyncio.Sleep(ctx, 0)
		a.Cancel()
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("cancelled waiter: %v", err)
		}
		if b.Done() || c.Done() {
			t.Fatal("cancelling one waiter woke the others")
		}
		e.Set()
		b.Cancel() // same step as Set: the cancellation wins
		if err := errOf(ctx, b); !isCancel(err) {
			t.Fatalf("waiter cancelled in the step of Set: %v", err)
		}
		if err := errOf(ctx, c); err != nil {
			t.Fatalf("other waiter: %v", err)
		}
		if err := e.Wait(cancelledCtx(ctx)); err != nil {
			t.Fatal("the event is still set")
		}
		return nil
	})
}

// Wait on a clear event with a cancelled ctx fails at once.
func TestEventWaitCancelledCtx(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		e := asyncio.NewEvent()
		if err := e.Wait(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait with a cancelled ctx: %v", err)
		}
		_, err := asyncio.WaitFor(ctx, time.Second, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, e.Wait(ctx)
		})
		if !isTimeout(err) || vnow(ctx) != time.Second {
			t.Fatalf("WaitFor(Wait) = %v at %v", err, vnow(ctx))
		}
		return nil
	})
}

// An Event set from a plain goroutine wakes the tasks waiting for it, and a
// task's Set wakes goroutines waiting for it.
func TestEventAcrossGoroutines(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		fromGo := asyncio.NewEvent()
		var tasks []*asyncio.Task[struct{}]
		for range 3 {
			tasks = append(tasks, goTask(ctx, fromGo.Wait))
		}
		asyncio.Sleep(ctx, 0) // they wait now
		go fromGo.Set()
		for _, tk := range tasks {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}

		fromTask := asyncio.NewEvent()
		const n = 3
		woke := make([]*asyncio.Future[error], n)
		for i := range woke {
			woke[i] = asyncio.NewFuture[error](ctx)
			go func() { woke[i].SetResult(fromTask.Wait(context.Background())) }()
		}
		fromTask.Set()
		for _, f := range woke {
			if err, _ := f.Wait(ctx); err != nil {
				t.Fatalf("goroutine waiter: %v", err)
			}
		}
		// A goroutine waiter whose ctx ends returns its error.
		gctx, cancel := context.WithCancel(context.Background())
		never := asyncio.NewEvent()
		res := asyncio.NewFuture[error](ctx)
		go func() { res.SetResult(never.Wait(gctx)) }()
		cancel()
		if err, _ := res.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("goroutine waiter with its ctx cancelled: %v", err)
		}
		return nil
	}, realClock())
}
