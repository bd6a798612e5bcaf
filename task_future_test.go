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

// Helpers shared by the semantics tests (future, timeout, gather, wait,
// taskgroup, shield, run, cancelpoints, stress).

// --- Future ---

func TestFutureSetResultWakesWaiter(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		if f.Done() {
			t.Fatal("new future is done")
		}
		if _, err := f.Result(); !errors.Is(err, asyncio.ErrNotDone) {
			t.Errorf("Result before done: %v", err)
		}
		if err := f.Err(); !errors.Is(err, asyncio.ErrNotDone) {
			t.Errorf("Err before done: %v", err)
		}
		var got []string
		w := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			got = append(got, "waiting")
			v, err := f.Wait(ctx)
			got = append(got, fmt.Sprintf("got %d at %v", v, vnow(ctx)))
			return v, err
		})
		asyncio.Sleep(ctx, time.Second)
		got = append(got, "set")
		f.SetResult(42)
		if !f.Done() {
			t.Error("not done after SetResult")
		}
		if v, err := w.Wait(ctx); v != 42 || err != nil {
			t.Errorf("waiter returned %v, %v", v, err)
		}
		if v, err := f.Result(); v != 42 || err != nil {
			t.Errorf("Result = %v, %v", v, err)
		}
		if f.Err() != nil || f.Cancelled() {
			t.Errorf("Err %v Cancelled %v", f.Err(), f.Cancelled())
		}
		want := []string{"waiting", "set", "got 42 at 1s"}
		if !slices.Equal(got, want) {
			t.Errorf("got %v, want %v", got, want)
		}
		return nil
	})
}

func TestFutureSetErrorWakesWaiter(t *testing.T) {
	boom := errors.New("boom")
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[string](ctx)
		w := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) { return f.Wait(ctx) })
		asyncio.Sleep(ctx, 0)
		f.SetError(boom)
		v, err := w.Wait(ctx)
		if v != "" || err != boom {
			t.Errorf("waiter returned %q, %v", v, err)
		}
		if f.Err() != boom || f.Cancelled() {
			t.Errorf("Err %v Cancelled %v", f.Err(), f.Cancelled())
		}
		return nil
	})
}

// Several tasks waiting on one future all wake, in the order they began
// waiting, in the iteration after it was resolved.
func TestFutureManyWaitersFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		var got []string
		for _, name := range []string{"a", "b", "c"} {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				v, err := f.Wait(ctx)
				got = append(got, fmt.Sprint(name, v))
				return v, err
			})
		}
		asyncio.Sleep(ctx, 0) // all three are now waiting
		f.SetResult(1)
		if len(got) != 0 {
			t.Fatalf("waiters ran inline in SetResult: %v", got)
		}
		asyncio.Sleep(ctx, 0)
		if want := []string{"a1", "b1", "c1"}; !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		return nil
	})
}

func TestFutureDoubleSetPanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		f.SetResult(1)
		if r := mustPanic(t, func() { f.SetResult(2) }); r == nil || !strings.Contains(fmt.Sprint(r), "already done") {
			t.Errorf("second SetResult panicked with %v", r)
		}
		mustPanic(t, func() { f.SetError(errors.New("x")) })
		if f.TrySetResult(3) || f.TrySetError(errors.New("y")) {
			t.Error("Try* on a done future reported success")
		}
		if f.Cancel() {
			t.Error("Cancel on a done future reported success")
		}
		if v, err := f.Result(); v != 1 || err != nil {
			t.Errorf("the first result was overwritten: %v, %v", v, err)
		}

		g := asyncio.NewFuture[int](ctx)
		mustPanic(t, func() { g.SetError(nil) })
		mustPanic(t, func() { g.TrySetError(nil) })
		if g.Done() {
			t.Error("SetError(nil) resolved the future")
		}
		if !g.TrySetError(context.DeadlineExceeded) {
			t.Error("TrySetError on a pending future failed")
		}
		mustPanic(t, func() { g.SetResult(1) })
		if !errors.Is(g.Err(), context.DeadlineExceeded) {
			t.Errorf("Err = %v", g.Err())
		}
		return nil
	})
}

func TestFutureCancel(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		w := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return f.Wait(ctx) })
		asyncio.Sleep(ctx, 0)
		if !f.Cancel() {
			t.Fatal("Cancel of a pending future returned false")
		}
		if !f.Cancelled() || !f.Done() {
			t.Errorf("Cancelled %v Done %v", f.Cancelled(), f.Done())
		}
		if f.Cancel() {
			t.Error("second Cancel returned true")
		}
		if _, err := w.Wait(ctx); !isCancel(err) {
			t.Errorf("waiter of a cancelled future got %v", err)
		}
		// The waiter returned the future's cancellation: it ends cancelled,
		// which is not a failure to report.
		if !w.Cancelled() {
			t.Error("waiter task not marked cancelled")
		}
		return nil
	})
}

// A task cancelled while it waits on a future leaves the future pending:
// other waiters still get its value later.
func TestFutureWaitCancelledLeavesFuturePending(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		a := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return f.Wait(ctx) })
		b := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return f.Wait(ctx) })
		asyncio.Sleep(ctx, time.Second)
		a.Cancel()
		if _, err := a.Wait(ctx); !isCancel(err) {
			t.Errorf("cancelled waiter returned %v", err)
		}
		if f.Done() {
			t.Fatal("cancelling a waiter resolved the future")
		}
		f.SetResult(9)
		if v, err := b.Wait(ctx); v != 9 || err != nil {
			t.Errorf("other waiter returned %v, %v", v, err)
		}
		return nil
	})
}

// A future resolved from another goroutine wakes the task waiting on it;
// the loop, idle with nothing to run and no timer, waits for the wake-up.
func TestFutureResolvedFromAnotherGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ok := asyncio.NewFuture[int](ctx)
		bad := asyncio.NewFuture[int](ctx)
		boom := errors.New("from goroutine")
		go func() {
			ok.SetResult(7)
			bad.SetError(boom)
		}()
		if v, err := ok.Wait(ctx); v != 7 || err != nil {
			t.Errorf("ok.Wait = %v, %v", v, err)
		}
		if _, err := bad.Wait(ctx); err != boom {
			t.Errorf("bad.Wait = %v", err)
		}
		if vnow(ctx) != 0 {
			t.Errorf("virtual time moved to %v", vnow(ctx))
		}
		return nil
	})
}

// From a goroutine that is not a task, Wait blocks that goroutine until the
// future is resolved (here by a task) or until its ctx ends.
func TestFutureWaitFromPlainGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		never := asyncio.NewFuture[int](ctx)
		relay := asyncio.NewFuture[int](ctx)
		cctx, cancel := context.WithCancel(context.Background())
		cancelled := asyncio.NewFuture[error](ctx)
		go func() {
			v, err := f.Wait(context.Background())
			if err != nil {
				relay.SetError(err)
				return
			}
			relay.SetResult(v)
		}()
		go func() {
			_, err := never.Wait(cctx)
			cancelled.SetResult(err)
		}()
		asyncio.Sleep(ctx, time.Second)
		f.SetResult(11)
		if v, err := relay.Wait(ctx); v != 11 || err != nil {
			t.Errorf("goroutine's Wait = %v, %v", v, err)
		}
		cancel()
		if err, _ := cancelled.Wait(ctx); !isCancel(err) {
			t.Errorf("goroutine's Wait with a cancelled ctx = %v", err)
		}
		if never.Done() {
			t.Error("the abandoned future was resolved")
		}
		return nil
	})
}

// Done-callbacks run on the loop in the order they were added, never inline
// in the code that resolves the future, even when added after it is done.
func TestFutureOnDoneNeverInline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		var got []string
		f.OnDone(func() { got = append(got, "cb1") })
		f.OnDone(func() { got = append(got, "cb2") })
		f.SetResult(1)
		got = append(got, "after SetResult")
		f.OnDone(func() { got = append(got, "late") })
		got = append(got, "after late OnDone")
		asyncio.Sleep(ctx, 0)
		want := []string{"after SetResult", "after late OnDone", "cb1", "cb2", "late"}
		if !slices.Equal(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
		// Resolved from another goroutine: the callback still runs on the
		// loop, in a later iteration.
		g := asyncio.NewFuture[int](ctx)
		ran := asyncio.NewFuture[bool](ctx)
		l := asyncio.RunningLoop(ctx)
		g.OnDone(func() { ran.SetResult(l.IsRunning()) })
		go g.SetResult(2)
		if onLoop, _ := ran.Wait(ctx); !onLoop {
			t.Error("callback did not run on the loop")
		}
		return nil
	})
}

// A future made with a ctx of no loop runs its callbacks in the goroutine
// that resolves it, as documented.
func TestFutureOffLoopCallbacksInline(t *testing.T) {
	f := asyncio.NewFuture[int](context.Background())
	ran := false
	f.OnDone(func() { ran = true })
	f.SetResult(1)
	if !ran {
		t.Fatal("callback of an off-loop future did not run in SetResult")
	}
	if v, err := f.Wait(context.Background()); v != 1 || err != nil {
		t.Fatalf("Wait = %v, %v", v, err)
	}
}

// A wait for a future that is already done returns its value at once
// without looking at ctx, as awaiting a finished future does in asyncio
// (docs/design.md, "Cancellation"); the next wait that suspends sees the
// cancellation. (A stricter rule, "every wait returns an error once
// cancelled", would lose a result that is already there.)
func TestFutureWaitOnDoneFutureInCancelledTask(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		f.SetResult(1)
		var sleepErr error
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			asyncio.CurrentTask(ctx).Cancel()
			v, err := f.Wait(ctx)
			sleepErr = asyncio.Sleep(ctx, 0)
			return v, err
		})
		v, err := task.Wait(ctx)
		if v != 1 || err != nil {
			t.Errorf("Wait on a done future in a cancelled task = %v, %v", v, err)
		}
		if !isCancel(sleepErr) {
			t.Errorf("the next wait returned %v", sleepErr)
		}
		return nil
	})
}

// A future resolved and a cancel arriving before the waiter resumes: the
// cancellation wins, and the future keeps its result for a later wait.
func TestFutureCancelWinsOverCompletionBeforeResume(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		f := asyncio.NewFuture[int](ctx)
		var waitErr error
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			_, waitErr = f.Wait(ctx)
			return 0, waitErr
		})
		asyncio.Sleep(ctx, 0) // the task waits
		f.SetResult(5)
		task.Cancel()
		task.Wait(ctx)
		if !isCancel(waitErr) {
			t.Errorf("Wait = %v, want the cancellation", waitErr)
		}
		if v, err := f.Result(); v != 5 || err != nil {
			t.Errorf("the future lost its result: %v, %v", v, err)
		}
		return nil
	})
}
