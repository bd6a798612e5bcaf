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

// Wait and the Notify methods need the lock held; they panic otherwise.
func TestConditionWithoutLockPanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		mustPanic(t, func() { c.Wait(ctx) })
		mustPanic(t, func() { c.Notify(1) })
		mustPanic(t, c.NotifyAll)
		mustPanic(t, func() { c.WaitFor(ctx, func() bool { return false }) })
		if c.Locked() {
			t.Fatal("a panicking call left the lock held")
		}
		// With the lock, Notify with nobody waiting is fine.
		c.Acquire(ctx)
		c.Notify(1)
		c.NotifyAll()
		c.Release()
		return nil
	})
}

// NewCondition(l) uses l; NewCondition(nil) makes its own lock.
func TestConditionLock(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := asyncio.NewLock()
		c := asyncio.NewCondition(l)
		if c.Lock() != l {
			t.Fatal("Lock() is not the lock given")
		}
		if err := c.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
		if !l.Locked() || !c.Locked() {
			t.Fatal("Acquire did not take the shared lock")
		}
		c.Release()
		if l.Locked() {
			t.Fatal("Release did not release the shared lock")
		}
		if asyncio.NewCondition(nil).Lock() == nil {
			t.Fatal("NewCondition(nil) has no lock")
		}
		return nil
	})
}

// condWaiters spawns n tasks that each take c's lock, Wait once, record
// their index and release.
func condWaiters(ctx context.Context, c *asyncio.Condition, n int, woke *[]int) []*asyncio.Task[struct{}] {
	var tasks []*asyncio.Task[struct{}]
	for i := range n {
		tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
			if err := c.Acquire(ctx); err != nil {
				return err
			}
			defer c.Release()
			if err := c.Wait(ctx); err != nil {
				return err
			}
			*woke = append(*woke, i)
			return nil
		}))
	}
	return tasks
}

// Notify(n) wakes exactly n waiters, the longest waiting first; NotifyAll
// wakes the rest.
func TestConditionNotifyN(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		var woke []int
		tasks := condWaiters(ctx, c, 6, &woke)
		asyncio.Sleep(ctx, 0)
		if c.Locked() {
			t.Fatal("waiters in Wait hold the lock")
		}
		notify := func(fn func()) {
			c.Acquire(ctx)
			fn()
			c.Release()
			yieldN(ctx, 3)
		}
		notify(func() { c.Notify(2) })
		if !slices.Equal(woke, []int{0, 1}) {
			t.Fatalf("Notify(2) woke %v, want [0 1]", woke)
		}
		notify(func() { c.Notify(1) })
		if !slices.Equal(woke, []int{0, 1, 2}) {
			t.Fatalf("then Notify(1) woke %v, want [0 1 2]", woke)
		}
		notify(func() { c.Notify(0) })
		if len(woke) != 3 {
			t.Fatalf("Notify(0) woke someone: %v", woke)
		}
		notify(c.NotifyAll)
		if !slices.Equal(woke, []int{0, 1, 2, 3, 4, 5}) {
			t.Fatalf("then NotifyAll woke %v", woke)
		}
		for _, tk := range tasks {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if c.Locked() {
			t.Fatal("lock held at the end")
		}
		return nil
	})
}

// Notify(n) with more than the number of waiters wakes them all and is not
// remembered for later waiters.
func TestConditionNotifyIsNotRemembered(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		var woke []int
		first := condWaiters(ctx, c, 2, &woke)
		asyncio.Sleep(ctx, 0)
		c.Acquire(ctx)
		c.Notify(5)
		c.Release()
		for _, tk := range first {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		c.Acquire(ctx)
		err := asyncio.Timeout(ctx, time.Second, c.Wait)
		if !isTimeout(err) {
			t.Fatalf("a Wait after the Notify: %v, want a timeout", err)
		}
		if !c.Locked() {
			t.Fatal("Wait returned without the lock")
		}
		c.Release()
		return nil
	})
}

// Wait takes the lock again before it returns, even when cancelled: the
// caller holds the lock, and it waits for the lock like anybody else.
func TestConditionWaitCancelledReacquires(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		var events []string
		var lockedOnReturn bool
		w := goTask(ctx, func(ctx context.Context) error {
			c.Acquire(ctx)
			err := c.Wait(ctx)
			lockedOnReturn = c.Locked()
			events = append(events, "wait returned")
			c.Release()
			return err
		})
		asyncio.Sleep(ctx, 0)
		c.Acquire(ctx) // the main task holds the lock when it cancels
		w.Cancel()
		asyncio.Sleep(ctx, time.Second)
		events = append(events, "main releases")
		c.Release()
		if err := errOf(ctx, w); !isCancel(err) {
			t.Fatalf("cancelled Wait returned %v", err)
		}
		if !lockedOnReturn {
			t.Fatal("Wait returned its cancellation without the lock")
		}
		if !slices.Equal(events, []string{"main releases", "wait returned"}) {
			t.Fatalf("events %v: Wait returned before it could take the lock back", events)
		}
		if c.Locked() {
			t.Fatal("lock held at the end")
		}
		return nil
	})
}

// A Wait with a ctx that is already cancelled fails at once and never lets
// the lock go: nobody else gets it in between.
func TestConditionWaitCancelledCtxKeepsLock(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		c.Acquire(ctx)
		other := goTask(ctx, c.Acquire)
		asyncio.Sleep(ctx, 0)
		if err := c.Wait(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait with a cancelled ctx: %v", err)
		}
		asyncio.Sleep(ctx, 0)
		if other.Done() {
			t.Fatal("the lock went to another task during a Wait that failed at once")
		}
		c.Release()
		if err := errOf(ctx, other); err != nil {
			t.Fatal(err)
		}
		c.Release() // other's
		return nil
	})
}

// A waiter that was notified but is cancelled before it resumes passes the
// notification to another waiter: no wakeup is lost.
func TestConditionNotifiedThenCancelledPassesOn(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		var woke []int
		tasks := condWaiters(ctx, c, 3, &woke)
		asyncio.Sleep(ctx, 0)
		c.Acquire(ctx)
		c.Notify(1) // to 0
		tasks[0].Cancel()
		c.Release()
		if err := errOf(ctx, tasks[0]); !isCancel(err) {
			t.Fatalf("notified then cancelled: %v", err)
		}
		if err := errOf(ctx, tasks[1]); err != nil {
			t.Fatalf("waiter 1 did not get the notification passed on: %v", err)
		}
		yieldN(ctx, 3)
		if !slices.Equal(woke, []int{1}) {
			t.Fatalf("woke %v, want exactly [1]", woke)
		}
		if tasks[2].Done() {
			t.Fatal("one Notify woke two waiters")
		}
		c.Acquire(ctx)
		c.NotifyAll()
		c.Release()
		if err := errOf(ctx, tasks[2]); err != nil {
			t.Fatal(err)
		}
		if c.Locked() {
			t.Fatal("lock held at the end")
		}
		return nil
	})
}

// A waiter notified, then cancelled while it waits to take the lock back,
// returns the cancellation (level-triggered: the cancellation arrived
// while Wait was suspended) and passes the notification on, as asyncio's
// Condition.wait does.
func TestConditionCancelledWhileReacquiring(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		var woke []int
		tasks := condWaiters(ctx, c, 2, &woke)
		asyncio.Sleep(ctx, 0)
		c.Acquire(ctx)
		c.Notify(1)           // to 0
		asyncio.Sleep(ctx, 0) // 0 resumes and waits for the lock
		if tasks[0].Done() {
			t.Fatal("waiter 0 returned while the lock is held")
		}
		tasks[0].Cancel()
		asyncio.Sleep(ctx, time.Second)
		c.Release()
		if err := errOf(ctx, tasks[0]); !isCancel(err) {
			t.Fatalf("waiter cancelled while taking the lock back: %v", err)
		}
		if err := errOf(ctx, tasks[1]); err != nil {
			t.Fatalf("waiter 1: %v; the notification was not passed on", err)
		}
		if !slices.Equal(woke, []int{1}) || c.Locked() {
			t.Fatalf("woke %v, locked %v", woke, c.Locked())
		}
		return nil
	})
}

// WaitFor checks the predicate with the lock held before each wait, and
// returns once it holds.
func TestConditionWaitFor(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		value, checks := 0, 0
		w := goTask(ctx, func(ctx context.Context) error {
			c.Acquire(ctx)
			defer c.Release()
			err := c.WaitFor(ctx, func() bool {
				checks++
				if !c.Locked() {
					t.Error("predicate called without the lock")
				}
				return value >= 3
			})
			if err == nil && value != 3 {
				t.Errorf("WaitFor returned with value %d", value)
			}
			return err
		})
		for range 3 {
			asyncio.Sleep(ctx, time.Second)
			c.Acquire(ctx)
			value++
			c.NotifyAll()
			c.Release()
		}
		if err := errOf(ctx, w); err != nil {
			t.Fatal(err)
		}
		if checks != 4 {
			t.Fatalf("predicate checked %d times, want 4 (once, then after each notify)", checks)
		}
		if vnow(ctx) != 3*time.Second {
			t.Fatalf("WaitFor returned at %v", vnow(ctx))
		}
		// A predicate that holds already returns at once, even with a
		// cancelled ctx, without waiting.
		c.Acquire(ctx)
		if err := c.WaitFor(cancelledCtx(ctx), func() bool { return true }); err != nil {
			t.Fatalf("WaitFor of a true predicate: %v", err)
		}
		c.Release()
		return nil
	})
}

// A timeout around Wait or WaitFor behaves like a cancellation: ErrTimeout,
// the lock held again.
func TestConditionWaitTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		c.Acquire(ctx)
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			return c.WaitFor(ctx, func() bool { return false })
		})
		if !isTimeout(err) || vnow(ctx) != time.Second {
			t.Fatalf("Timeout(WaitFor) = %v at %v", err, vnow(ctx))
		}
		if !c.Locked() {
			t.Fatal("WaitFor returned its timeout without the lock")
		}
		_, err = asyncio.WaitFor(ctx, time.Second, func(ctx context.Context) (int, error) {
			return 0, c.Wait(ctx)
		})
		if !isTimeout(err) || !c.Locked() {
			t.Fatalf("WaitFor(Wait) = %v, locked %v", err, c.Locked())
		}
		c.Release()
		return nil
	})
}

// A Condition works from plain goroutines: a goroutine waits, a task
// notifies.
func TestConditionGoroutineWaiter(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		c := asyncio.NewCondition(nil)
		ready := false
		res := asyncio.NewFuture[error](ctx)
		go func() {
			bg := context.Background()
			if err := c.Acquire(bg); err != nil {
				res.SetResult(err)
				return
			}
			err := c.WaitFor(bg, func() bool { return ready })
			if err == nil && !c.Locked() {
				err = errors.New("WaitFor returned without the lock")
			}
			c.Release()
			res.SetResult(err)
		}()
		c.Acquire(ctx)
		ready = true
		c.NotifyAll()
		c.Release()
		if err, _ := res.Wait(ctx); err != nil {
			t.Fatalf("goroutine WaitFor: %v", err)
		}
		return nil
	}, realClock())
}
