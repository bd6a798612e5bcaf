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

func TestRateLimiterBurstThenSteady(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 3, time.Second)
		var times []time.Duration
		for range 7 {
			if err := r.Wait(ctx); err != nil {
				return err
			}
			times = append(times, now(ctx))
		}
		want := []time.Duration{0, 0, 0, 333333334, 666666667, time.Second, 1333333334}
		if !slices.Equal(times, want) {
			t.Errorf("times %v, want %v", times, want)
		}
		if r.Taken() != 7 {
			t.Errorf("Taken = %d", r.Taken())
		}
		return nil
	})
}

// The k-th token after an empty bucket arrives at exactly ceil(k·period/n),
// however many came before: no drift.
func TestRateLimiterNoDrift(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 7, time.Second, patterns.RateBurst(1), patterns.RateInitialTokens(0))
		for k := int64(1); k <= 1000; k++ {
			if err := r.Wait(ctx); err != nil {
				return err
			}
			want := time.Duration((k*int64(time.Second) + 6) / 7)
			if now(ctx) != want {
				t.Fatalf("token %d at %v, want %v", k, now(ctx), want)
			}
		}
		return nil
	})
}

func TestRateLimiterRefillCappedAtBurst(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 10, time.Second, patterns.RateBurst(4))
		if got := r.Tokens(); got != 4 {
			t.Errorf("starts with %v tokens, want 4", got)
		}
		for range 4 {
			if !r.TryTake() {
				t.Fatal("TryTake failed on a full bucket")
			}
		}
		if r.TryTake() {
			t.Error("TryTake succeeded on an empty bucket")
		}
		asyncio.Sleep(ctx, 50*time.Millisecond)
		if got := r.Tokens(); got != 0.5 {
			t.Errorf("after 50ms: %v tokens, want 0.5", got)
		}
		asyncio.Sleep(ctx, time.Hour)
		if got := r.Tokens(); got != 4 {
			t.Errorf("after an hour: %v tokens, want the burst of 4", got)
		}
		return nil
	})
}

func TestRateLimiterFIFO(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 10, time.Second, patterns.RateBurst(1), patterns.RateInitialTokens(0))
		var log []string
		var tasks []*asyncio.Task[struct{}]
		for i := range 4 {
			tasks = append(tasks, spawn(ctx, "", func(ctx context.Context) error {
				if err := r.Wait(ctx); err != nil {
					return err
				}
				log = append(log, fmt.Sprintf("%d@%v", i, now(ctx)))
				return nil
			}))
			settle(ctx)
		}
		if r.Waiting() != 4 {
			t.Errorf("Waiting = %d", r.Waiting())
		}
		if r.TryTake() {
			t.Error("TryTake took a token owed to a waiter")
		}
		for _, tk := range tasks {
			tk.Wait(ctx)
		}
		want := []string{"0@100ms", "1@200ms", "2@300ms", "3@400ms"}
		if !slices.Equal(log, want) {
			t.Errorf("log %v, want %v", log, want)
		}
		return nil
	})
}

// A waiter cancelled before its token arrives consumes nothing: the next
// waiter gets the token when the cancelled one would have.
func TestRateLimiterCancelBeforeToken(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 1, time.Second, patterns.RateInitialTokens(0))
		var got time.Duration
		a := spawn(ctx, "a", r.Wait)
		b := spawn(ctx, "b", func(ctx context.Context) error {
			err := r.Wait(ctx)
			got = now(ctx)
			return err
		})
		settle(ctx)
		asyncio.Sleep(ctx, 500*time.Millisecond)
		a.Cancel()
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v", err)
		}
		if _, err := b.Wait(ctx); err != nil {
			return err
		}
		if got != time.Second {
			t.Errorf("b got its token at %v, want 1s", got)
		}
		if r.Taken() != 1 || r.Waiting() != 0 {
			t.Errorf("taken %d, waiting %d", r.Taken(), r.Waiting())
		}
		return nil
	})
}

// A waiter cancelled after the token was handed to it, before it resumed,
// gives the token to the next waiter, at the same instant.
func TestRateLimiterCancelAfterToken(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 1, time.Second, patterns.RateInitialTokens(0))
		var got time.Duration
		a := spawn(ctx, "a", r.Wait)
		b := spawn(ctx, "b", func(ctx context.Context) error {
			err := r.Wait(ctx)
			got = now(ctx)
			return err
		})
		settle(ctx)
		// Due at 1s too, after the limiter's timer: runs in the same
		// iteration, once a was handed the token but before it resumes.
		asyncio.RunningLoop(ctx).CallAt(time.Second, func() { a.Cancel() })
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v", err)
		}
		if _, err := b.Wait(ctx); err != nil {
			return err
		}
		if got != time.Second {
			t.Errorf("b got its token at %v, want 1s", got)
		}
		if r.Taken() != 1 || r.Tokens() != 0 {
			t.Errorf("taken %d, %v tokens left", r.Taken(), r.Tokens())
		}
		return nil
	})
}

// The last waiter leaving stops the timer; the bucket keeps filling.
func TestRateLimiterCancelLastWaiter(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 2, time.Second, patterns.RateInitialTokens(0))
		err := asyncio.Timeout(ctx, 100*time.Millisecond, r.Wait)
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Wait under a timeout: %v", err)
		}
		if r.Waiting() != 0 || r.Taken() != 0 {
			t.Errorf("waiting %d, taken %d", r.Waiting(), r.Taken())
		}
		asyncio.Sleep(ctx, 900*time.Millisecond)
		if got := r.Tokens(); got != 2 {
			t.Errorf("after 1s: %v tokens, want 2", got)
		}
		return nil
	})
}

func TestRateLimiterMisuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		r := patterns.NewRateLimiter(ctx, 1, time.Second)
		if err := r.Wait(context.Background()); !errors.Is(err, patterns.ErrWrongLoop) {
			t.Errorf("Wait outside the loop: %v", err)
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := r.Wait(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Wait with a done ctx: %v", err)
		}
		if r.Taken() != 0 {
			t.Error("a failed Wait took a token")
		}
		mustPanic(t, "n = 0", func() { patterns.NewRateLimiter(ctx, 0, time.Second) })
		mustPanic(t, "period = 0", func() { patterns.NewRateLimiter(ctx, 1, 0) })
		mustPanic(t, "burst = 0", func() { patterns.NewRateLimiter(ctx, 1, time.Second, patterns.RateBurst(0)) })
		mustPanic(t, "initial < 0", func() { patterns.NewRateLimiter(ctx, 1, time.Second, patterns.RateInitialTokens(-1)) })
		mustPanic(t, "no loop", func() { patterns.NewRateLimiter(context.Background(), 1, time.Second) })
		return nil
	})
}

func ExampleRateLimiter() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// Two requests per second, in bursts of up to two.
		r := patterns.NewRateLimiter(ctx, 2, time.Second)
		for i := 1; i <= 5; i++ {
			if err := r.Wait(ctx); err != nil {
				return struct{}{}, err
			}
			fmt.Printf("request %d at %v\n", i, asyncio.RunningLoop(ctx).Time())
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// request 1 at 0s
	// request 2 at 0s
	// request 3 at 500ms
	// request 4 at 1s
	// request 5 at 1.5s
}
