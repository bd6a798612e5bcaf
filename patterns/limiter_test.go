package patterns_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/patterns"
)

func TestCapacityLimiterLimitsAndWaits(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(2)
		var log []string
		var tasks []*asyncio.Task[struct{}]
		for i := range 3 {
			tasks = append(tasks, spawn(ctx, fmt.Sprint("w", i), func(ctx context.Context) error {
				if err := l.Acquire(ctx); err != nil {
					return err
				}
				log = append(log, fmt.Sprintf("w%d in at %v", i, now(ctx)))
				defer l.Release(ctx)
				return asyncio.Sleep(ctx, time.Second)
			}))
		}
		settle(ctx)
		st := l.Statistics()
		if st.Borrowed != 2 || st.Total != 2 || st.Waiting != 1 || len(st.Borrowers) != 2 {
			t.Errorf("statistics while full: %+v", st)
		}
		if st.Borrowers[0] != asyncio.AnyTask(tasks[0]) || st.Borrowers[1] != asyncio.AnyTask(tasks[1]) {
			t.Errorf("borrowers %v, want w0 and w1 in order", st.Borrowers)
		}
		if l.AvailableTokens() != 0 {
			t.Errorf("AvailableTokens = %d, want 0", l.AvailableTokens())
		}
		for _, tk := range tasks {
			if _, err := tk.Wait(ctx); err != nil {
				return err
			}
		}
		want := []string{"w0 in at 0s", "w1 in at 0s", "w2 in at 1s"}
		if !slices.Equal(log, want) {
			t.Errorf("log %q, want %q", log, want)
		}
		if now(ctx) != 2*time.Second {
			t.Errorf("ended at %v, want 2s", now(ctx))
		}
		if st := l.Statistics(); st.Borrowed != 0 || st.Waiting != 0 || len(st.Borrowers) != 0 {
			t.Errorf("statistics at the end: %+v", st)
		}
		return nil
	})
}

func TestCapacityLimiterFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		if err := l.AcquireOnBehalfOf(ctx, "holder"); err != nil {
			return err
		}
		var order []int
		var tasks []*asyncio.Task[struct{}]
		for i := range 5 {
			tasks = append(tasks, spawn(ctx, "", func(ctx context.Context) error {
				if err := l.AcquireOnBehalfOf(ctx, i); err != nil {
					return err
				}
				order = append(order, i)
				if err := asyncio.Sleep(ctx, ms(10)); err != nil {
					return err
				}
				l.ReleaseOnBehalfOf(i)
				return nil
			}))
			settle(ctx) // queue them in order
		}
		// A newcomer does not barge in while others wait.
		if err := l.TryAcquireOnBehalfOf("newcomer"); !errors.Is(err, patterns.ErrWouldBlock) {
			t.Errorf("TryAcquire with waiters: %v, want ErrWouldBlock", err)
		}
		l.ReleaseOnBehalfOf("holder")
		// The token went straight to the first waiter: still none free.
		if err := l.TryAcquireOnBehalfOf("newcomer"); !errors.Is(err, patterns.ErrWouldBlock) {
			t.Errorf("TryAcquire after a hand-off: %v, want ErrWouldBlock", err)
		}
		for _, tk := range tasks {
			tk.Wait(ctx)
		}
		if !slices.Equal(order, []int{0, 1, 2, 3, 4}) {
			t.Errorf("order %v", order)
		}
		if now(ctx) != ms(50) {
			t.Errorf("ended at %v, want 50ms", now(ctx))
		}
		return nil
	})
}

func TestCapacityLimiterBorrowTwice(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(3)
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		if err := l.Acquire(ctx); !errors.Is(err, patterns.ErrAlreadyBorrowing) {
			t.Errorf("second Acquire: %v, want ErrAlreadyBorrowing", err)
		}
		if err := l.TryAcquire(ctx); !errors.Is(err, patterns.ErrAlreadyBorrowing) {
			t.Errorf("TryAcquire: %v, want ErrAlreadyBorrowing", err)
		}
		if err := l.AcquireOnBehalfOf(ctx, asyncio.CurrentTask(ctx)); !errors.Is(err, patterns.ErrAlreadyBorrowing) {
			t.Errorf("AcquireOnBehalfOf self: %v, want ErrAlreadyBorrowing", err)
		}
		if l.BorrowedTokens() != 1 {
			t.Errorf("BorrowedTokens = %d, want 1", l.BorrowedTokens())
		}
		l.Release(ctx)

		// A borrower that waits cannot ask again from elsewhere.
		l.SetTotalTokens(1)
		l.AcquireOnBehalfOf(ctx, "a")
		w := spawn(ctx, "w", func(ctx context.Context) error { return l.AcquireOnBehalfOf(ctx, "b") })
		settle(ctx)
		if err := l.AcquireOnBehalfOf(ctx, "b"); !errors.Is(err, patterns.ErrAlreadyBorrowing) {
			t.Errorf("Acquire by a waiting borrower: %v, want ErrAlreadyBorrowing", err)
		}
		l.ReleaseOnBehalfOf("a")
		if _, err := w.Wait(ctx); err != nil {
			return err
		}
		l.ReleaseOnBehalfOf("b")
		return nil
	})
}

func TestCapacityLimiterMisuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		mustPanic(t, "Release by a non-borrower", func() { l.Release(ctx) })
		mustPanic(t, "ReleaseOnBehalfOf a stranger", func() { l.ReleaseOnBehalfOf("x") })
		mustPanic(t, "Release outside a task", func() { l.Release(context.Background()) })
		mustPanic(t, "nil borrower", func() { l.AcquireOnBehalfOf(ctx, nil) })
		mustPanic(t, "uncomparable borrower", func() { l.AcquireOnBehalfOf(ctx, []int{1}) })
		mustPanic(t, "SetTotalTokens(0)", func() { l.SetTotalTokens(0) })
		mustPanic(t, "NewCapacityLimiter(0)", func() { patterns.NewCapacityLimiter(0) })
		if err := l.Acquire(context.Background()); !errors.Is(err, asyncio.ErrNoTask) {
			t.Errorf("Acquire outside a task: %v, want ErrNoTask", err)
		}
		if err := l.TryAcquire(context.Background()); !errors.Is(err, asyncio.ErrNoTask) {
			t.Errorf("TryAcquire outside a task: %v, want ErrNoTask", err)
		}
		if l.BorrowedTokens() != 0 {
			t.Errorf("tokens lent after misuse: %d", l.BorrowedTokens())
		}
		return nil
	})
}

func TestCapacityLimiterDoneCtxFailsAtOnce(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := l.Acquire(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Acquire with a done ctx: %v", err)
		}
		if l.BorrowedTokens() != 0 {
			t.Error("a done ctx borrowed a token")
		}
		return nil
	})
}

func TestCapacityLimiterCancelWhileWaiting(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		l.AcquireOnBehalfOf(ctx, "holder")
		a := spawn(ctx, "a", func(ctx context.Context) error { return l.AcquireOnBehalfOf(ctx, "a") })
		b := spawn(ctx, "b", func(ctx context.Context) error {
			if err := l.AcquireOnBehalfOf(ctx, "b"); err != nil {
				return err
			}
			l.ReleaseOnBehalfOf("b")
			return nil
		})
		settle(ctx)
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		a.Cancel()
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled waiter: %v", err)
		}
		if st := l.Statistics(); st.Waiting != 1 || st.Borrowed != 1 {
			t.Errorf("after the cancel: %+v", st)
		}
		l.ReleaseOnBehalfOf("holder")
		if _, err := b.Wait(ctx); err != nil {
			t.Errorf("b: %v", err)
		}
		if st := l.Statistics(); st.Waiting != 0 || st.Borrowed != 0 {
			t.Errorf("at the end: %+v", st)
		}
		return nil
	})
}

// A waiter cancelled after the token was handed to it, before it resumed,
// passes the token on to the next waiter.
func TestCapacityLimiterCancelAfterHandOff(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		l.AcquireOnBehalfOf(ctx, "holder")
		a := spawn(ctx, "a", func(ctx context.Context) error { return l.AcquireOnBehalfOf(ctx, "a") })
		b := spawn(ctx, "b", func(ctx context.Context) error { return l.AcquireOnBehalfOf(ctx, "b") })
		settle(ctx)
		l.ReleaseOnBehalfOf("holder") // hands the token to a...
		a.Cancel()                    // ...which is cancelled before it resumes
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v, want a cancellation", err)
		}
		if _, err := b.Wait(ctx); err != nil {
			t.Errorf("b: %v", err)
		}
		st := l.Statistics()
		if st.Borrowed != 1 || !slices.Equal(st.Borrowers, []any{"b"}) || st.Waiting != 0 {
			t.Errorf("statistics: %+v, want b alone", st)
		}
		l.ReleaseOnBehalfOf("b")
		return nil
	})
}

func TestCapacityLimiterSetTotalTokens(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		l.AcquireOnBehalfOf(ctx, 0)
		var got []int
		for i := 1; i <= 3; i++ {
			spawn(ctx, "", func(ctx context.Context) error {
				if err := l.AcquireOnBehalfOf(ctx, i); err != nil {
					return err
				}
				got = append(got, i)
				return nil
			})
		}
		settle(ctx)
		l.SetTotalTokens(3) // two more tokens: the first two waiters
		settle(ctx)
		if !slices.Equal(got, []int{1, 2}) {
			t.Errorf("after growing: %v, want [1 2]", got)
		}
		// Shrinking takes nothing back, and lends nothing until fewer
		// than the new total are out.
		l.SetTotalTokens(1)
		if l.AvailableTokens() != 0 || l.BorrowedTokens() != 3 {
			t.Errorf("after shrinking: %d available, %d borrowed", l.AvailableTokens(), l.BorrowedTokens())
		}
		l.ReleaseOnBehalfOf(0)
		l.ReleaseOnBehalfOf(1)
		settle(ctx)
		if len(got) != 2 {
			t.Errorf("lent above the total: %v", got)
		}
		l.ReleaseOnBehalfOf(2)
		settle(ctx)
		if !slices.Equal(got, []int{1, 2, 3}) {
			t.Errorf("at the end: %v", got)
		}
		if l.TotalTokens() != 1 || l.BorrowedTokens() != 1 {
			t.Errorf("total %d, borrowed %d", l.TotalTokens(), l.BorrowedTokens())
		}
		l.ReleaseOnBehalfOf(3)
		return nil
	})
}

// A plain goroutine borrows on behalf of itself and blocks until a task
// releases.
func TestCapacityLimiterFromGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		if err := l.Acquire(ctx); err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() {
			err := l.AcquireOnBehalfOf(context.Background(), "goroutine")
			if err == nil {
				l.ReleaseOnBehalfOf("goroutine")
			}
			done <- err
		}()
		for l.Statistics().Waiting == 0 {
			asyncio.Sleep(ctx, 0)
		}
		l.Release(ctx)
		if err := <-done; err != nil {
			t.Errorf("goroutine: %v", err)
		}
		if l.BorrowedTokens() != 0 {
			t.Errorf("borrowed at the end: %d", l.BorrowedTokens())
		}
		return nil
	})
}

func ExampleCapacityLimiter() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := patterns.NewCapacityLimiter(2)
		start := asyncio.RunningLoop(ctx).Time()
		work := func(name string) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				if err := l.Acquire(ctx); err != nil {
					return struct{}{}, err
				}
				defer l.Release(ctx)
				fmt.Printf("%s starts at %v\n", name, asyncio.RunningLoop(ctx).Time()-start)
				return struct{}{}, asyncio.Sleep(ctx, time.Second)
			}
		}
		_, err := asyncio.Gather(ctx, work("a"), work("b"), work("c"))
		return struct{}{}, err
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// a starts at 0s
	// b starts at 0s
	// c starts at 1s
}

// A task cancelled with a cause gets the cause from its waits.
func TestCapacityLimiterCancelCause(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		l.AcquireOnBehalfOf(ctx, "holder")
		errShutdown := errors.New("shutting down")
		w := spawn(ctx, "w", l.Acquire)
		settle(ctx)
		w.CancelCause(errShutdown)
		_, err := w.Wait(ctx)
		var ce *asyncio.CancelledError
		if !errors.Is(err, errShutdown) || !errors.Is(err, context.Canceled) || !errors.As(err, &ce) {
			t.Errorf("waiter: %v, want a CancelledError with the cause", err)
		}
		// Level-triggered: a wait after the cancellation fails at once,
		// with the cause too.
		w2 := spawn(ctx, "w2", func(ctx context.Context) error {
			asyncio.Sleep(ctx, time.Hour)
			return l.Acquire(ctx)
		})
		settle(ctx)
		w2.CancelCause(errShutdown)
		if _, err := w2.Wait(ctx); !errors.Is(err, errShutdown) {
			t.Errorf("w2: %v, want the cause", err)
		}
		l.ReleaseOnBehalfOf("holder")
		return nil
	})
}

func TestCapacityLimiterTryAcquire(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		l := patterns.NewCapacityLimiter(1)
		if err := l.TryAcquire(ctx); err != nil {
			t.Errorf("TryAcquire on a free limiter: %v", err)
		}
		if err := l.TryAcquireOnBehalfOf("other"); !errors.Is(err, patterns.ErrWouldBlock) {
			t.Errorf("TryAcquireOnBehalfOf on a full limiter: %v", err)
		}
		l.Release(ctx)
		if err := l.TryAcquireOnBehalfOf("other"); err != nil {
			t.Errorf("TryAcquireOnBehalfOf: %v", err)
		}
		l.ReleaseOnBehalfOf("other")
		return nil
	})
}
