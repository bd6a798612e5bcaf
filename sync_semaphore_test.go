package asyncio_test

import (
	"context"
	"errors"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func TestSemaphoreNegativePanics(t *testing.T) {
	mustPanic(t, func() { asyncio.NewSemaphore(-1) })
	mustPanic(t, func() { asyncio.NewBoundedSemaphore(-1) })
	if s := asyncio.NewSemaphore(0); s.Value() != 0 || !s.Locked() || s.TryAcquire() {
		t.Fatal("NewSemaphore(0) should start with no permit")
	}
}

// Acquire takes permits until none is left; Release gives them back.
func TestSemaphoreCounts(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(3)
		for i := range 3 {
			if s.Locked() {
				t.Fatalf("Locked() with %d permits free and nobody waiting", s.Value())
			}
			if err := s.Acquire(ctx); err != nil {
				t.Fatal(err)
			}
			if s.Value() != 2-i {
				t.Fatalf("Value() = %d after %d acquires", s.Value(), i+1)
			}
		}
		if !s.Locked() || s.TryAcquire() {
			t.Fatal("a semaphore with no permit should be locked")
		}
		if err := asyncio.Timeout(ctx, time.Second, s.Acquire); !isTimeout(err) {
			t.Fatalf("Acquire with no permit: %v", err)
		}
		for range 3 {
			s.Release()
		}
		if s.Value() != 3 || s.Locked() {
			t.Fatalf("Value() = %d, Locked() = %v after releasing all", s.Value(), s.Locked())
		}
		// An unbounded semaphore may go above its initial value.
		s.Release()
		if s.Value() != 4 {
			t.Fatalf("Value() = %d, want 4", s.Value())
		}
		if vnow(ctx) != time.Second {
			t.Errorf("only the timed-out Acquire should have waited; clock at %v", vnow(ctx))
		}
		return nil
	})
}

// Waiters get permits in FIFO order, one per Release.
func TestSemaphoreFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(0)
		var order []int
		var tasks []*asyncio.Task[struct{}]
		for i := range 5 {
			tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, i)
				return nil
			}))
			asyncio.Sleep(ctx, 0)
		}
		for i := range 5 {
			s.Release()
			yieldN(ctx, 2)
			if len(order) != i+1 {
				t.Fatalf("after %d releases %v acquired", i+1, order)
			}
		}
		for _, tk := range tasks {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
			t.Fatalf("order %v", order)
		}
		if s.Value() != 0 {
			t.Fatalf("Value() = %d, want 0: every permit went to a waiter", s.Value())
		}
		return nil
	})
}

// Locked() is true while anybody waits, even the moment a permit is handed
// over; nobody barges in ahead of a waiter, not even the releaser
// (asyncio 3.12's rule, gh-90155).
func TestSemaphoreNoBarging(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(2)
		s.Acquire(ctx)
		s.Acquire(ctx)
		var got []string
		waiter := func(name string) *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				got = append(got, name)
				return nil
			})
		}
		a, b := waiter("a"), waiter("b")
		asyncio.Sleep(ctx, 0)
		if !s.Locked() {
			t.Fatal("Locked() false with waiters")
		}
		s.Release() // to a
		if s.TryAcquire() {
			t.Fatal("the releaser took back the permit handed to a")
		}
		if !s.Locked() || s.Value() != 0 {
			t.Fatalf("Locked() %v, Value() %d with b waiting", s.Locked(), s.Value())
		}
		late := waiter("late")
		s.Release() // to b
		yieldN(ctx, 2)
		if !slices.Equal(got, []string{"a", "b"}) || late.Done() {
			t.Fatalf("got %v, late done %v", got, late.Done())
		}
		s.Release() // to late
		for _, tk := range []*asyncio.Task[struct{}]{a, b, late} {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(got, []string{"a", "b", "late"}) {
			t.Fatalf("got %v", got)
		}
		return nil
	})
}

// A waiter cancelled after a permit was handed to it, before it resumed,
// passes the permit on to the next waiter (the lost-wakeup bug of
// cpython#90155 and python/asyncio#270).
func TestSemaphoreGrantedWaiterCancelledPassesPermitOn(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(1)
		s.Acquire(ctx)
		held := 0
		waiter := func() *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				held++
				err := asyncio.Sleep(ctx, time.Second)
				held--
				s.Release()
				return err
			})
		}
		a, b, c := waiter(), waiter(), waiter()
		asyncio.Sleep(ctx, 0)
		s.Release() // to a
		a.Cancel()  // before a resumes: a passes the permit to b
		if err := errOf(ctx, a); !isCancel(err) {
			t.Fatalf("a: %v", err)
		}
		if err := errOf(ctx, b); err != nil {
			t.Fatalf("b: %v", err)
		}
		if err := errOf(ctx, c); err != nil {
			t.Fatalf("c: %v", err)
		}
		if vnow(ctx) != 2*time.Second {
			t.Errorf("b and c done at %v, want 2s", vnow(ctx))
		}
		if s.Value() != 1 || held != 0 {
			t.Fatalf("Value() = %d, held %d: a permit was lost or made up", s.Value(), held)
		}
		// The last waiter, granted and cancelled, gives the permit back.
		s.Acquire(ctx)
		d := goTask(ctx, s.Acquire)
		asyncio.Sleep(ctx, 0)
		s.Release()
		d.Cancel()
		if err := errOf(ctx, d); !isCancel(err) {
			t.Fatalf("d: %v", err)
		}
		if s.Value() != 1 {
			t.Fatalf("Value() = %d after the cancelled last waiter, want 1", s.Value())
		}
		return nil
	})
}

// A waiter handed a permit still counts until it resumes (asyncio 3.12):
// after release, release, release with two waiters, one permit is free but
// the semaphore stays locked, TryAcquire fails, and a newcomer queues
// behind the two, taking the free permit once they have resumed.
func TestSemaphoreGrantedWaiterStillCounts(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(0)
		var order []string
		waiter := func(name string) *asyncio.Task[struct{}] {
			return goTask(ctx, func(ctx context.Context) error {
				if err := s.Acquire(ctx); err != nil {
					return err
				}
				order = append(order, name)
				return nil
			})
		}
		t1, t2 := waiter("t1"), waiter("t2")
		asyncio.Sleep(ctx, 0)
		s.Release() // to t1
		s.Release() // to t2
		s.Release() // free
		if s.Value() != 1 || !s.Locked() {
			t.Fatalf("Value() = %d, Locked() = %v with two grants on their way; want 1, true", s.Value(), s.Locked())
		}
		if s.TryAcquire() {
			t.Fatal("TryAcquire went ahead of the waiters handed a permit")
		}
		t3 := waiter("t3")
		for _, tk := range []*asyncio.Task[struct{}]{t1, t2, t3} {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(order, []string{"t1", "t2", "t3"}) {
			t.Fatalf("acquired in order %v, want [t1 t2 t3]", order)
		}
		if s.Value() != 0 || !s.Locked() {
			t.Fatalf("Value() = %d, Locked() = %v after t3 took the free permit", s.Value(), s.Locked())
		}
		s.Release()
		s.Release()
		s.Release()
		if s.Value() != 3 || s.Locked() {
			t.Fatalf("Value() = %d, Locked() = %v once everyone released", s.Value(), s.Locked())
		}
		return nil
	})
}

// A waiter cancelled after it was handed a permit, with a free permit and a
// newcomer queued behind it, passes its permit to the newcomer, which then
// also finds the free one left for later: no permit is lost or made up.
func TestSemaphoreGrantedWaiterCancelledBehindNewcomer(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(0)
		t1 := goTask(ctx, s.Acquire)
		asyncio.Sleep(ctx, 0)
		s.Release() // to t1
		s.Release() // free, but t1 has not resumed
		t3 := goTask(ctx, s.Acquire)
		t4 := goTask(ctx, s.Acquire)
		t1.Cancel()
		if err := errOf(ctx, t1); !isCancel(err) {
			t.Fatalf("t1: %v", err)
		}
		if err := errOf(ctx, t3); err != nil {
			t.Fatalf("t3: %v", err)
		}
		if err := errOf(ctx, t4); err != nil {
			t.Fatalf("t4: %v", err)
		}
		if s.Value() != 0 {
			t.Fatalf("Value() = %d with both permits taken", s.Value())
		}
		return nil
	})
}

// A cancelled ctx makes Acquire fail at once, even with permits free, and
// takes nothing.
func TestSemaphoreAcquireCancelledCtxFailsFast(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(2)
		if err := s.Acquire(cancelledCtx(ctx)); !errors.Is(err, context.Canceled) {
			t.Fatalf("Acquire with a cancelled ctx: %v", err)
		}
		if s.Value() != 2 {
			t.Fatalf("Value() = %d: the failed Acquire took a permit", s.Value())
		}
		if err := s.Acquire(cancelledCtx(context.Background())); !errors.Is(err, context.Canceled) || s.Value() != 2 {
			t.Fatalf("goroutine Acquire with a cancelled ctx: %v, Value %d", err, s.Value())
		}
		return nil
	})
}

// Timeouts around Acquire: ErrTimeout, no permit taken or lost.
func TestSemaphoreAcquireTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewSemaphore(1)
		s.Acquire(ctx)
		var tasks []*asyncio.Task[struct{}]
		for i := range 3 {
			tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
				_, err := asyncio.WaitFor(ctx, time.Duration(i+1)*time.Second, func(ctx context.Context) (int, error) {
					return 0, s.Acquire(ctx)
				})
				return err
			}))
		}
		for _, tk := range tasks {
			if err := errOf(ctx, tk); !isTimeout(err) {
				t.Fatalf("WaitFor(Acquire): %v", err)
			}
		}
		if vnow(ctx) != 3*time.Second {
			t.Errorf("last timeout at %v", vnow(ctx))
		}
		s.Release()
		if s.Value() != 1 || s.Locked() {
			t.Fatalf("Value() = %d, Locked() = %v: a timed-out waiter kept a permit", s.Value(), s.Locked())
		}
		return nil
	})
}

// A BoundedSemaphore panics when released more often than acquired
// (asyncio raises ValueError).
func TestBoundedSemaphoreOverReleasePanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		s := asyncio.NewBoundedSemaphore(2)
		mustPanic(t, s.Release)
		if s.Value() != 2 {
			t.Fatalf("Value() = %d after a refused Release", s.Value())
		}
		s.Acquire(ctx)
		s.Acquire(ctx)
		s.Release()
		s.Release()
		mustPanic(t, s.Release)
		if s.Value() != 2 {
			t.Fatalf("Value() = %d", s.Value())
		}
		// A release that hands the permit to a waiter is legitimate.
		s.Acquire(ctx)
		s.Acquire(ctx)
		w := goTask(ctx, s.Acquire)
		asyncio.Sleep(ctx, 0)
		s.Release()
		if err := errOf(ctx, w); err != nil {
			t.Fatal(err)
		}
		s.Release()
		s.Release()
		mustPanic(t, s.Release)

		// A permit handed to a waiter that has not resumed yet is held: a
		// second Release in that window is one too many.
		b := asyncio.NewBoundedSemaphore(1)
		b.Acquire(ctx)
		bw := goTask(ctx, b.Acquire)
		asyncio.Sleep(ctx, 0)
		b.Release() // to bw
		mustPanic(t, b.Release)
		if err := errOf(ctx, bw); err != nil {
			t.Fatal(err)
		}
		if b.Value() != 0 {
			t.Fatalf("Value() = %d with bw holding the only permit", b.Value())
		}

		// With no permit at all, any Release is one too many, waiters or
		// not: the waiter must not get a permit that never existed.
		z := asyncio.NewBoundedSemaphore(0)
		mustPanic(t, z.Release)
		zw := goTask(ctx, z.Acquire)
		asyncio.Sleep(ctx, 0)
		mustPanic(t, z.Release)
		asyncio.Sleep(ctx, 0)
		if zw.Done() {
			t.Fatal("BoundedSemaphore(0).Release handed a waiter a permit beyond the bound")
		}
		zw.Cancel()
		if err := errOf(ctx, zw); !isCancel(err) {
			t.Fatalf("zw: %v", err)
		}
		return nil
	})
}

// A semaphore shared by tasks and plain goroutines never lets more than
// its count in.
func TestSemaphoreAcrossGoroutines(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		const limit, workers, rounds = 2, 4, 50
		s := asyncio.NewSemaphore(limit)
		var inside, peak atomic.Int32
		enter := func() {
			n := inside.Add(1)
			if n > limit {
				t.Errorf("%d inside a semaphore of %d", n, limit)
			}
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
		}
		var futs []*asyncio.Future[error]
		for range workers {
			f := asyncio.NewFuture[error](ctx)
			futs = append(futs, f)
			go func() {
				for range rounds {
					if err := s.Acquire(context.Background()); err != nil {
						f.SetResult(err)
						return
					}
					enter()
					inside.Add(-1)
					s.Release()
				}
				f.SetResult(nil)
			}()
		}
		var tasks []*asyncio.Task[struct{}]
		for range workers {
			tasks = append(tasks, goTask(ctx, func(ctx context.Context) error {
				for range rounds {
					if err := s.Acquire(ctx); err != nil {
						return err
					}
					enter()
					asyncio.Sleep(ctx, 0)
					inside.Add(-1)
					s.Release()
				}
				return nil
			}))
		}
		for _, tk := range tasks {
			if err := errOf(ctx, tk); err != nil {
				t.Fatal(err)
			}
		}
		for _, f := range futs {
			if err, _ := f.Wait(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if s.Value() != limit || inside.Load() != 0 {
			t.Fatalf("Value() = %d at the end, inside %d", s.Value(), inside.Load())
		}
		if peak.Load() < 1 {
			t.Fatal("nobody got in")
		}
		return nil
	}, realClock())
}
