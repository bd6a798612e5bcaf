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

// Helpers shared by the tests of the coordination primitives (lock, event,
// condition, semaphore, barrier, queue, primitives_stress).

// --- Lock ---

func TestLockAcquireRelease(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var l asyncio.Lock // the zero Lock is ready
		if l.Locked() {
			t.Fatal("zero Lock is locked")
		}
		if err := l.Acquire(ctx); err != nil {
			t.Fatalf("Acquire of a free lock: %v", err)
		}
		if !l.Locked() {
			t.Fatal("Locked() false after Acquire")
		}
		if l.TryAcquire() {
			t.Fatal("TryAcquire of a held lock succeeded (the lock is not reentrant)")
		}
		l.Release()
		if l.Locked() {
			t.Fatal("Locked() true after Release")
		}
		if !l.TryAcquire() {
			t.Fatal("TryAcquire of a free lock failed")
		}
		l.Release()
		if vnow(ctx) != 0 {
			t.Errorf("uncontended Acquire took %v of virtual time", vnow(ctx))
		}
		return nil
	})
}

// Releasing an unlocked lock is a bug and panics, as sync.Mutex does
// (asyncio raises RuntimeError).
func TestLockReleaseUnlockedPanics(t *testing.T) {
	l := asyncio.NewLock()
	mustPanic(t, l.Release)
	if l.Locked() {
		t.Fatal("a failed Release left the lock locked")
	}
	l.TryAcquire()
	l.Release()
	mustPanic(t, l.Release) // twice
}

// Waiters get the lock in the order they asked for it, each from the one
// before; nobody barges in while they wait, not even the releaser.
func TestLockFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		var order []int
		var tasks []*asyncio.Task[struct{}]
		for i := range 5 {
			tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, i)
				err := asyncio.Sleep(ctx, time.Second) // hold it a while
				l.Release()
				return err
			}))
			asyncio.Sleep(ctx, 0) // i is queued before i+1
		}
		l.Release()
		if !l.Locked() {
			t.Error("Release with waiters left the lock free instead of handing it over")
		}
		if l.TryAcquire() {
			t.Fatal("the releaser barged in ahead of the waiters")
		}
		late := goTask(ctx, func(ctx context.Context) error {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			order = append(order, 99)
			l.Release()
			return nil
		})
		for _, tk := range append(tasks, late) {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if want := []int{0, 1, 2, 3, 4, 99}; !slices.Equal(order, want) {
			t.Fatalf("lock order %v, want %v", order, want)
		}
		if vnow(ctx) != 5*time.Second {
			t.Errorf("five holders of a second each ended at %v", vnow(ctx))
		}
		if l.Locked() {
			t.Error("lock still held at the end")
		}
		return nil
	})
}

// A waiter cancelled while it waits leaves the queue; the lock goes to the
// next one.
func TestLockCancelledWaiterWakesNext(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		var got []string
		waiter := func(name string) *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				got = append(got, name)
				l.Release()
				return nil
			})
		}
		a, b := waiter("a"), waiter("b")
		asyncio.Sleep(ctx, 0)
		a.Cancel()
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("cancelled waiter returned %v", err)
		}
		if !l.Locked() {
			t.Fatal("cancelling a waiter released the lock")
		}
		l.Release()
		if err := errOf(ctx, b); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"b"}) {
			t.Fatalf("holders %v, want [b]", got)
		}
		if l.Locked() {
			t.Fatal("lock still held")
		}
		return nil
	})
}

// The lost-wakeup bug (cpython#90155 for Semaphore, the same for Lock): the
// lock is handed to A, and A is cancelled before it resumes. The
// cancellation wins, and A must pass the lock to B rather than drop it.
func TestLockGrantedWaiterCancelledPassesLockOn(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		holders := 0
		var got []string
		waiter := func(name string) *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				holders++
				got = append(got, name)
				if holders != 1 {
					t.Errorf("%d holders", holders)
				}
				asyncio.Sleep(ctx, time.Second)
				holders--
				l.Release()
				return nil
			})
		}
		a, b, c := waiter("a"), waiter("b"), waiter("c")
		asyncio.Sleep(ctx, 0)
		// In one step: the lock goes to a, then a is cancelled.
		l.Release()
		a.Cancel()
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("a: %v; the cancellation should win over the hand-off", err)
		}
		if err := errOf(ctx, b); err != nil {
			t.Fatal(err)
		}
		if err := errOf(ctx, c); err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, []string{"b", "c"}) {
			t.Fatalf("holders in order %v, want [b c]", got)
		}
		if vnow(ctx) != 2*time.Second {
			t.Errorf("b and c held the lock until %v, want 2s (no time lost)", vnow(ctx))
		}
		if l.Locked() {
			t.Fatal("lock lost: still locked with nobody holding it")
		}
		return nil
	})
}

// The same with the last waiter: a granted waiter that is cancelled and
// has nobody to pass the lock to frees it.
func TestLockGrantedLastWaiterCancelledFreesLock(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		a := goTask(ctx, l.Acquire)
		asyncio.Sleep(ctx, 0)
		l.Release()
		a.Cancel()
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("a: %v", err)
		}
		if l.Locked() {
			t.Fatal("the lock was lost with the cancelled waiter")
		}
		if !l.TryAcquire() {
			t.Fatal("TryAcquire of the freed lock failed")
		}
		return nil
	})
}

// The waiter the lock was handed to holds it before it resumes: Locked
// reports true, TryAcquire fails, and a newcomer waits behind it.
func TestLockGrantedWaiterHoldsLock(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		var order []string
		waiter := func(name string) *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, name)
				l.Release()
				return nil
			})
		}
		t1 := waiter("t1")
		asyncio.Sleep(ctx, 0)
		l.Release() // to t1
		if !l.Locked() || l.TryAcquire() {
			t.Fatal("the lock handed to t1 looks free before t1 resumed")
		}
		t3 := waiter("t3")
		for _, tk := range []*asyncio.Task[struct{}]{t1, t3} {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(order, []string{"t1", "t3"}) || l.Locked() {
			t.Fatalf("order %v, Locked() %v", order, l.Locked())
		}
		return nil
	})
}

// A cancelled ctx makes Acquire fail at once, even on a free lock.
func TestLockAcquireCancelledCtxFailsFast(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		if err := l.Acquire(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire with a cancelled ctx: %v", err)
		}
		if l.Locked() {
			t.Fatal("Acquire with a cancelled ctx took the lock")
		}
		// Level-triggered: a task that was cancelled cannot take it either.
		tk := goTask(ctx, func(ctx context.Context) error {
			asyncio.CurrentTask(ctx).Cancel()
			return l.Acquire(ctx)
		})
		if err := errOf(ctx, tk); !isCancel(err) {
			t.Fatalf("Acquire in a cancelled task: %v", err)
		}
		if l.Locked() {
			t.Fatal("a cancelled task took the lock")
		}
		// From a plain goroutine too.
		if err := l.Acquire(cancelledCtx(context.Background())); !errors.Is(err, context.Canceled) || l.Locked() {
			t.Fatalf("goroutine Acquire with a cancelled ctx: %v, locked %v", err, l.Locked())
		}
		return nil
	})
}

// A timeout around Acquire behaves like a cancellation: ErrTimeout, the
// lock not taken, nothing lost.
func TestLockAcquireTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		err := asyncio.Timeout(ctx, time.Second, l.Acquire)
		if !isTimeout(err) || vnow(ctx) != time.Second {
			t.Fatalf("Timeout(Acquire) = %v at %v", err, vnow(ctx))
		}
		_, err = asyncio.WaitFor(ctx, time.Second, func(ctx context.Context) (int, error) {
			return 0, l.Acquire(ctx)
		})
		if !isTimeout(err) || vnow(ctx) != 2*time.Second {
			t.Fatalf("WaitFor(Acquire) = %v at %v", err, vnow(ctx))
		}
		l.Release()
		if l.Locked() {
			t.Fatal("a timed-out waiter was handed the lock")
		}
		// With the lock free before the deadline, the waiter gets it.
		l.Acquire(ctx)
		goTask(ctx, func(ctx context.Context) error {
			asyncio.Sleep(ctx, time.Second)
			l.Release()
			return nil
		})
		if err := asyncio.Timeout(ctx, 2*time.Second, l.Acquire); err != nil {
			t.Fatalf("Acquire freed in time: %v", err)
		}
		if vnow(ctx) != 3*time.Second || !l.Locked() {
			t.Fatalf("at %v, locked %v", vnow(ctx), l.Locked())
		}
		l.Release()
		return nil
	})
}

// The holder releases at the very moment the waiter's timeout expires:
// whichever wins, the outcome is consistent (taken and held, or not taken
// and the lock free), never a lock held by nobody.
func TestLockTimeoutRacesRelease(t *testing.T) {
	for _, first := range []string{"release", "timeout"} {
		t.Run(first, func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				l := asyncio.NewLock()
				l.Acquire(ctx)
				releaser := func(ctx context.Context) error {
					asyncio.Sleep(ctx, time.Second)
					l.Release()
					return nil
				}
				var rel *asyncio.Task[struct{}]
				if first == "release" {
					rel = goTask(ctx, releaser)
				}
				w := goTask(ctx, func(ctx context.Context) error {
					return asyncio.Timeout(ctx, time.Second, l.Acquire)
				})
				if first == "timeout" {
					rel = goTask(ctx, releaser)
				}
				errOf(ctx, rel)
				err := errOf(ctx, w)
				switch {
				case err == nil:
					if !l.Locked() {
						t.Fatal("Acquire succeeded but the lock is free")
					}
					l.Release()
				case isTimeout(err):
					if l.Locked() {
						t.Fatal("Acquire timed out but the lock is held by nobody")
					}
				default:
					t.Fatalf("Acquire: %v", err)
				}
				return nil
			})
		})
	}
}

// A Lock works between a task and a plain goroutine: mutual exclusion
// holds, whichever of them waits.
func TestLockSharedWithGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		const rounds = 200
		inside, total := 0, 0 // guarded by l
		critical := func(who string) {
			if inside != 0 {
				panic(fmt.Sprintf("%s entered a held lock", who))
			}
			inside++
			total++
		}
		done := asyncio.NewFuture[error](ctx)
		go func() {
			for range rounds {
				if err := l.Acquire(context.Background()); err != nil {
					done.SetResult(err)
					return
				}
				critical("goroutine")
				inside--
				l.Release()
			}
			done.SetResult(nil)
		}()
		for range rounds {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			critical("task")
			asyncio.Sleep(ctx, 0) // hold it across a wait
			inside--
			l.Release()
		}
		gerr, err := done.Wait(ctx)
		if err != nil || gerr != nil {
			t.Fatalf("goroutine: %v, %v", gerr, err)
		}
		if total != 2*rounds || l.Locked() {
			t.Fatalf("total %d, locked %v", total, l.Locked())
		}
		return nil
	}, realClock())
}

// A goroutine waiting for a lock a task holds gets it when the task
// releases it; a goroutine waiter whose ctx ends leaves the queue and does
// not take the lock.
func TestLockGoroutineWaiters(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		l.Acquire(ctx)
		gctx, cancel := context.WithCancel(context.Background())
		cancelled := asyncio.NewFuture[error](ctx)
		go func() { cancelled.SetResult(l.Acquire(gctx)) }()
		cancel()
		if err, _ := cancelled.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("goroutine Acquire with its ctx cancelled: %v", err)
		}
		got := asyncio.NewFuture[error](ctx)
		go func() {
			err := l.Acquire(context.Background())
			got.SetResult(err)
		}()
		l.Release() // to the goroutine if it waits already, else freed for it
		if err, _ := got.Wait(ctx); err != nil {
			t.Fatalf("goroutine Acquire: %v", err)
		}
		if !l.Locked() {
			t.Fatal("the goroutine's Acquire returned but the lock is free")
		}
		l.Release() // released by another than the one that acquired: allowed
		if l.Locked() {
			t.Fatal("the cancelled goroutine waiter took the lock")
		}
		return nil
	}, realClock())
}
