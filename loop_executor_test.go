package asyncio_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestToThreadRunsOffTheLoop(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		release := make(chan struct{})
		ticks := 0
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return ticks, nil
				}
				ticks++
				if ticks == 3 {
					close(release) // the loop ran while the blocking call waited
				}
			}
		})
		v, err := asyncio.ToThread(ctx, func() (string, error) {
			<-release
			return "done", nil
		})
		if v != "done" || err != nil {
			t.Fatalf("ToThread = %q, %v", v, err)
		}
		ticker.Cancel()
		ticker.Wait(ctx)
		return nil
	})
}

// A virtual clock must not jump past a timeout while executor work is
// out: the result may be what the loop waits for.
func TestVirtualClockWaitsForExecutorWork(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		v, err := asyncio.WaitFor(ctx, time.Hour, func(ctx context.Context) (int, error) {
			return asyncio.ToThread(ctx, func() (int, error) {
				time.Sleep(5 * time.Millisecond) // real time: the blocking call
				return 42, nil
			})
		})
		if v != 42 || err != nil {
			t.Fatalf("got %v, %v: the virtual clock jumped while work was out", v, err)
		}
		return nil
	})
}

func TestToThreadErrorsAndPanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		boom := errors.New("boom")
		if _, err := asyncio.ToThread(ctx, func() (int, error) { return 0, boom }); err != boom {
			t.Errorf("error = %v", err)
		}
		func() {
			defer func() {
				if pe, ok := recover().(*asyncio.PanicError); !ok || pe.Value != "in pool" {
					t.Errorf("recovered %v", pe)
				}
			}()
			asyncio.ToThread(ctx, func() (int, error) { panic("in pool") })
		}()
		return nil
	})
}

// Cancelling the wait returns at once; the function finishes in the
// background and Run's shutdown waits for it.
func TestToThreadCancelReturnsAtOnce(t *testing.T) {
	var finished atomic.Bool
	release := make(chan struct{})
	asynciotest.Run(t, func(ctx context.Context) error {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.ToThread(ctx, func() (int, error) {
				<-release
				finished.Store(true)
				return 1, nil
			})
		})
		asyncio.Sleep(ctx, 0)
		task.Cancel()
		if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled ToThread returned %v", err)
		}
		if finished.Load() {
			t.Error("the function finished before the cancel returned")
		}
		close(release)
		return nil
	})
	if !finished.Load() {
		t.Fatal("Run returned before the executor's work finished")
	}
}

func TestThreadPoolBoundsConcurrency(t *testing.T) {
	p := asyncio.NewThreadPool(2)
	var running, peak atomic.Int32
	gate := make(chan struct{})
	done := make(chan struct{}, 5)
	for range 5 {
		p.Submit(func() {
			n := running.Add(1)
			for {
				old := peak.Load()
				if n <= old || peak.CompareAndSwap(old, n) {
					break
				}
			}
			<-gate
			running.Add(-1)
			done <- struct{}{}
		})
	}
	close(gate)
	for range 5 {
		<-done
	}
	if err := p.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if peak.Load() > 2 {
		t.Fatalf("peak concurrency %d > 2", peak.Load())
	}
	if err := p.Submit(func() {}); !errors.Is(err, asyncio.ErrExecutorShutDown) {
		t.Fatalf("Submit after Shutdown: %v", err)
	}
}

// countingExecutor runs functions on goroutines of its own and counts them.
type countingExecutor struct {
	asyncio.Executor
	n atomic.Int32
}

func (e *countingExecutor) Submit(fn func()) error {
	e.n.Add(1)
	return e.Executor.Submit(fn)
}

func TestWithExecutorIsTheDefault(t *testing.T) {
	e := &countingExecutor{Executor: asyncio.NewThreadPool(1)}
	asynciotest.Run(t, func(ctx context.Context) error {
		if asyncio.RunningLoop(ctx).Executor() != asyncio.Executor(e) {
			t.Error("Loop.Executor is not the one given")
		}
		_, err := asyncio.ToThread(ctx, func() (int, error) { return 1, nil })
		return err
	}, asyncio.WithExecutor(e))
	if e.n.Load() != 1 {
		t.Fatalf("ToThread submitted %d functions to the given executor", e.n.Load())
	}
	// Run shut it down.
	if err := e.Submit(func() {}); !errors.Is(err, asyncio.ErrExecutorShutDown) {
		t.Fatalf("after Run: %v", err)
	}
}
