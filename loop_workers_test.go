package asyncio_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/asyncio-go/asyncio"
)

type workersKey struct{}

// runWorkers runs body as the main task of a loop on the real clock: the
// workers refuse a virtual one.
func runWorkers(t *testing.T, body func(ctx context.Context) error) {
	t.Helper()
	if _, err := asyncio.Run(func(ctx context.Context) (struct{}, error) { return struct{}{}, body(ctx) }); err != nil {
		t.Fatal(err)
	}
}

// waitCancelled waits until ctx is cancelled, and returns the wait's error.
func waitCancelled(ctx context.Context) error { return asyncio.NewEvent().Wait(ctx) }

// Each worker runs on a loop of its own, worker 0 on the caller's; every
// loop runs when StartWorkers returns; the caller's ctx values reach
// every worker; the extra loops are closed once Wait returns.
func TestWorkersRunEachOnItsOwnLoop(t *testing.T) {
	const n = 3
	runWorkers(t, func(ctx context.Context) error {
		ctx = context.WithValue(ctx, workersKey{}, "from the caller")
		var mu sync.Mutex
		loops := make([]*asyncio.Loop, n)
		values := make([]any, n)
		recorded := asyncio.NewBarrier(n + 1)
		release := asyncio.NewEvent()
		w, err := asyncio.StartWorkers(ctx, n, func(ctx context.Context, i int) error {
			mu.Lock()
			loops[i] = asyncio.RunningLoop(ctx)
			values[i] = ctx.Value(workersKey{})
			mu.Unlock()
			if _, err := recorded.Wait(ctx); err != nil {
				return err
			}
			return release.Wait(ctx)
		})
		if err != nil {
			return err
		}
		// Every loop runs once StartWorkers has returned.
		for i, l := range w.Loops() {
			if !l.IsRunning() {
				t.Errorf("worker %d's loop is not running when StartWorkers returns", i)
			}
		}
		if _, err := recorded.Wait(ctx); err != nil {
			return err
		}
		if w.Len() != n {
			t.Errorf("Len = %d, want %d", w.Len(), n)
		}
		mu.Lock()
		if !slices.Equal(w.Loops(), loops) {
			t.Errorf("Loops() = %v, the mains ran on %v", w.Loops(), loops)
		}
		mu.Unlock()
		if loops[0] != asyncio.RunningLoop(ctx) {
			t.Error("worker 0 is not on the caller's loop")
		}
		if loops[1] == loops[0] || loops[2] == loops[0] || loops[1] == loops[2] {
			t.Errorf("workers share loops: %v", loops)
		}
		for _, l := range loops {
			if !slices.Contains(asyncio.Loops(), l) {
				t.Errorf("loop %d is not listed", l.ID())
			}
		}
		for i, v := range values {
			if v != "from the caller" {
				t.Errorf("worker %d sees the value %v", i, v)
			}
		}
		release.Set()
		if err := w.Wait(ctx); err != nil {
			t.Errorf("Wait = %v", err)
		}
		for _, l := range loops[1:] {
			if !l.IsClosed() || slices.Contains(asyncio.Loops(), l) {
				t.Errorf("loop %d is still open after Wait", l.ID())
			}
		}
		if loops[0].IsClosed() {
			t.Error("the caller's loop was closed")
		}
		return nil
	})
}

// The failure of one worker cancels the others, with the failure as the
// cause; Wait returns the failure, not the cancellations it caused.
func TestWorkersFailureCancelsTheOthers(t *testing.T) {
	boom := errors.New("boom")
	runWorkers(t, func(ctx context.Context) error {
		causes := make([]error, 3)
		begun := asyncio.NewBarrier(3)
		w, err := asyncio.StartWorkers(ctx, 3, func(ctx context.Context, i int) error {
			// A worker cancelled before its first step does not run:
			// the failure comes once all have begun.
			if _, err := begun.Wait(context.WithoutCancel(ctx)); err != nil {
				return err
			}
			if i == 1 {
				return boom
			}
			err := waitCancelled(ctx)
			causes[i] = asyncio.Cause(ctx)
			return err
		})
		if err != nil {
			return err
		}
		err = w.Wait(ctx)
		if got := joined(err); len(got) != 1 || got[0] != boom {
			t.Errorf("Wait = %v, want boom alone", err)
		}
		for _, i := range []int{0, 2} {
			if causes[i] != boom {
				t.Errorf("worker %d was cancelled with cause %v, want boom", i, causes[i])
			}
		}
		return nil
	})
}

// A panic in a worker is a failure, as a *PanicError, and Wait returns it
// with the other failures, joined.
func TestWorkersPanicAndErrorsJoined(t *testing.T) {
	boom := errors.New("boom")
	runWorkers(t, func(ctx context.Context) error {
		begun := asyncio.NewBarrier(3)
		w, err := asyncio.StartWorkers(ctx, 3, func(ctx context.Context, i int) error {
			// Each fails once all have begun, whether or not the other's
			// failure has cancelled it by then.
			if _, err := begun.Wait(context.WithoutCancel(ctx)); err != nil {
				return err
			}
			switch i {
			case 0:
				return boom
			case 2:
				panic("worker 2 panics")
			}
			return nil
		})
		if err != nil {
			return err
		}
		err = w.Wait(ctx)
		var pe *asyncio.PanicError
		if !errors.Is(err, boom) || !errors.As(err, &pe) || pe.Value != "worker 2 panics" || pe.Task != "worker-2" {
			t.Errorf("Wait = %v, want boom and worker 2's panic", err)
		}
		if len(joined(err)) != 2 {
			t.Errorf("Wait = %v, want two failures", err)
		}
		return nil
	})
}

// Cancel cancels every worker, from any goroutine, and is not a failure.
func TestWorkersCancel(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		var cancelled atomic.Int32
		w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error {
			err := waitCancelled(ctx)
			if errors.Is(err, context.Canceled) {
				cancelled.Add(1)
			}
			return err
		})
		if err != nil {
			return err
		}
		_, err = asyncio.ToThread(ctx, func() (struct{}, error) { w.Cancel(); return struct{}{}, nil })
		if err != nil {
			return err
		}
		if err := w.Wait(ctx); err != nil {
			t.Errorf("Wait = %v, want nil", err)
		}
		if cancelled.Load() != 2 {
			t.Errorf("%d workers saw the cancellation, want 2", cancelled.Load())
		}
		return nil
	})
}

// Cancelling the caller's task cancels every worker; the caller's Wait
// still waits for them all, and reports its own cancellation.
func TestWorkersCallerCancelled(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		var cancelled atomic.Int32
		running := asyncio.NewEvent()
		ended := make([]bool, 2)
		caller := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error {
				err := waitCancelled(ctx)
				if errors.Is(err, context.Canceled) {
					cancelled.Add(1)
				}
				ended[i] = true
				return err
			})
			if err != nil {
				return struct{}{}, err
			}
			running.Set()
			return struct{}{}, w.Wait(ctx)
		})
		if err := running.Wait(ctx); err != nil {
			return err
		}
		caller.Cancel()
		_, err := caller.Wait(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("the caller's Wait = %v, want a cancellation", err)
		}
		if cancelled.Load() != 2 || !ended[0] || !ended[1] {
			t.Errorf("%d workers cancelled, ended %v; want both", cancelled.Load(), ended)
		}
		return nil
	})
}

// A ctx given to Wait that ends cancels the workers; Wait waits for them
// and returns ctx's error.
func TestWorkersWaitCtxCancelsWorkers(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error { return waitCancelled(ctx) })
		if err != nil {
			return err
		}
		// From a goroutine that is no task: Wait blocks it.
		waitErr, err := asyncio.ToThread(ctx, func() (error, error) {
			wctx, cancel := context.WithCancel(context.Background())
			cancel()
			return w.Wait(wctx), nil
		})
		if err != nil {
			return err
		}
		if !errors.Is(waitErr, context.Canceled) {
			t.Errorf("Wait = %v, want context.Canceled", waitErr)
		}
		for i, l := range w.Loops()[1:] {
			if !l.IsClosed() {
				t.Errorf("worker %d's loop is open after Wait", i+1)
			}
		}
		return nil
	})
}

// One worker runs on the caller's loop alone.
func TestWorkersOne(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		before := len(asyncio.Loops())
		var on *asyncio.Loop
		w, err := asyncio.StartWorkers(ctx, 1, func(ctx context.Context, i int) error {
			on = asyncio.RunningLoop(ctx)
			if n := len(asyncio.Loops()); n != before {
				t.Errorf("%d loops with one worker, want %d", n, before)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if err := w.Wait(ctx); err != nil {
			t.Errorf("Wait = %v", err)
		}
		if on != asyncio.RunningLoop(ctx) {
			t.Error("the one worker did not run on the caller's loop")
		}
		return nil
	})
}

// StartWorkers refuses fewer than one worker, a ctx of no task, and a
// virtual clock for more than one worker.
func TestWorkersRefused(t *testing.T) {
	noop := func(context.Context, int) error { return nil }
	if _, err := asyncio.StartWorkers(context.Background(), 2, noop); !errors.Is(err, asyncio.ErrNoTask) {
		t.Errorf("without a task: %v, want ErrNoTask", err)
	}
	runWorkers(t, func(ctx context.Context) error {
		if _, err := asyncio.StartWorkers(ctx, 0, noop); err == nil {
			t.Error("0 workers: no error")
		}
		if _, err := asyncio.StartWorkers(ctx, 2, noop, asyncio.WithClock(asyncio.NewVirtualClock())); !errors.Is(err, asyncio.ErrWorkersVirtualClock) {
			t.Errorf("virtual clock in opts: %v, want ErrWorkersVirtualClock", err)
		}
		return nil
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if _, err := asyncio.StartWorkers(ctx, 2, noop); !errors.Is(err, asyncio.ErrWorkersVirtualClock) {
			t.Errorf("caller on a virtual clock: %v, want ErrWorkersVirtualClock", err)
		}
		w, err := asyncio.StartWorkers(ctx, 1, noop)
		if err != nil {
			t.Errorf("one worker on a virtual clock: %v", err)
			return struct{}{}, nil
		}
		return struct{}{}, w.Wait(ctx)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}

// The new loops inherit the caller loop's debug mode unless opts say
// otherwise.
func TestWorkersInheritDebug(t *testing.T) {
	for _, opts := range [][]asyncio.Option{nil, {asyncio.Debug(false)}} {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			debug := make([]bool, 2)
			w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error {
				debug[i] = asyncio.RunningLoop(ctx).Debug()
				return nil
			}, opts...)
			if err != nil {
				return struct{}{}, err
			}
			if err := w.Wait(ctx); err != nil {
				return struct{}{}, err
			}
			if want := opts == nil; !debug[0] || debug[1] != want {
				t.Errorf("with %d options: debug %v, want [true %v]", len(opts), debug, want)
			}
			return struct{}{}, nil
		}, asyncio.Debug(true))
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Other goroutines reach a worker's loop with Submit, as any loop's: the
// task's coroutine is made on the loop's locked thread, not on theirs.
func TestWorkersSubmitToAWorkerLoop(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error { return waitCancelled(ctx) })
		if err != nil {
			return err
		}
		defer w.Wait(ctx)
		defer w.Cancel()
		target := w.Loops()[1]
		on, err := asyncio.ToThread(ctx, func() (*asyncio.Loop, error) {
			return asyncio.SubmitWait(context.Background(), target, func(ctx context.Context) (*asyncio.Loop, error) {
				// A child, spawned on the loop, and a wait.
				child := asyncio.Spawn(ctx, func(ctx context.Context) (*asyncio.Loop, error) {
					return asyncio.RunningLoop(ctx), asyncio.Sleep(ctx, 0)
				})
				return child.Wait(ctx)
			})
		})
		if err != nil {
			return err
		}
		if on != target {
			t.Errorf("the submitted task ran on loop %v, want worker 1's", on)
		}
		return nil
	})
}
