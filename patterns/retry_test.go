package patterns_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/patterns"
)

var errFlaky = errors.New("flaky")

// flaky returns a function that fails n times, then returns "ok", and
// records the loop time of each attempt.
func flaky(n int, times *[]time.Duration) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		*times = append(*times, now(ctx))
		if len(*times) <= n {
			return "", fmt.Errorf("attempt %d: %w", len(*times), errFlaky)
		}
		return "ok", nil
	}
}

func TestRetrySucceedsWithExponentialBackoff(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		v, err := patterns.Retry(ctx, flaky(4, &times), patterns.RetryAttempts(5))
		if err != nil || v != "ok" {
			t.Fatalf("Retry = %q, %v", v, err)
		}
		want := []time.Duration{0, ms(100), ms(300), ms(700), ms(1500)}
		if !slices.Equal(times, want) {
			t.Errorf("attempts at %v, want %v", times, want)
		}
		return nil
	})
}

func TestRetryBackoffCapped(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		_, err := patterns.Retry(ctx, flaky(5, &times),
			patterns.RetryAttempts(6), patterns.RetryBackoff(time.Second, 3*time.Second, 3))
		if err != nil {
			return err
		}
		// pauses 1s, 3s, 3s (capped), 3s, 3s
		want := []time.Duration{0, 1 * time.Second, 4 * time.Second, 7 * time.Second, 10 * time.Second, 13 * time.Second}
		if !slices.Equal(times, want) {
			t.Errorf("attempts at %v, want %v", times, want)
		}
		return nil
	})
}

func TestRetryExhausted(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		_, err := patterns.Retry(ctx, flaky(100, &times))
		var re *patterns.RetryError
		if !errors.As(err, &re) || re.Attempts != 3 {
			t.Fatalf("error %v, want a RetryError after the default 3 attempts", err)
		}
		if !errors.Is(err, errFlaky) || !errors.Is(err, patterns.ErrRetriesExhausted) {
			t.Errorf("errors.Is fails on %v", err)
		}
		if got := err.Error(); got != "patterns: gave up after 3 attempts: attempt 3: flaky" {
			t.Errorf("message %q", got)
		}
		// No pause after the last attempt.
		if now(ctx) != ms(300) {
			t.Errorf("returned at %v, want 300ms", now(ctx))
		}
		return nil
	})
}

func TestRetryMaxElapsed(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		// Pauses of 100, 200, 400, 800ms: the attempt after the 800ms
		// pause would start at 1.5s, past the 1s allowed.
		_, err := patterns.Retry(ctx, flaky(100, &times), patterns.RetryAttempts(0), patterns.RetryMaxElapsed(time.Second))
		if !errors.Is(err, patterns.ErrRetriesExhausted) {
			t.Errorf("error %v, want ErrRetriesExhausted", err)
		}
		want := []time.Duration{0, ms(100), ms(300), ms(700)}
		if !slices.Equal(times, want) {
			t.Errorf("attempts at %v, want %v", times, want)
		}
		if now(ctx) != ms(700) {
			t.Errorf("returned at %v, want 700ms, without the last pause", now(ctx))
		}
		return nil
	})
}

func TestRetryIfAndPermanent(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		errFatal := errors.New("fatal")
		calls := 0
		_, err := patterns.Retry(ctx, func(ctx context.Context) (int, error) {
			calls++
			return 0, errFatal
		}, patterns.RetryIf(func(err error) bool { return !errors.Is(err, errFatal) }))
		var re *patterns.RetryError
		if !errors.As(err, &re) || re.Attempts != 1 || calls != 1 || !errors.Is(err, errFatal) {
			t.Errorf("RetryIf rejecting: %v after %d calls", err, calls)
		}
		if errors.Is(err, patterns.ErrRetriesExhausted) {
			t.Error("a rejected error counts as exhausted")
		}

		calls = 0
		_, err = patterns.Retry(ctx, func(ctx context.Context) (int, error) {
			calls++
			if calls == 2 {
				return 0, patterns.Permanent(errFatal)
			}
			return 0, errFlaky
		}, patterns.RetryAttempts(10))
		if calls != 2 || !errors.Is(err, errFatal) || errors.Is(err, patterns.ErrRetriesExhausted) {
			t.Errorf("Permanent: %v after %d calls", err, calls)
		}
		if patterns.Permanent(nil) != nil {
			t.Error("Permanent(nil) is not nil")
		}
		return nil
	})
}

// Cancelling ctx during a pause ends Retry at once, with the cancellation
// and the last attempt's error.
func TestRetryCancelledDuringPause(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		task := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			return patterns.Retry(ctx, flaky(100, &times), patterns.RetryAttempts(0), patterns.RetryBackoff(time.Second, time.Second, 1))
		})
		asyncio.Sleep(ctx, 2500*time.Millisecond)
		task.Cancel()
		_, err := task.Wait(ctx)
		if !errors.Is(err, context.Canceled) || !errors.Is(err, errFlaky) {
			t.Errorf("error %v, want the cancellation and the last error", err)
		}
		var re *patterns.RetryError
		if !errors.As(err, &re) || re.Attempts != 3 {
			t.Errorf("error %v, want 3 attempts", err)
		}
		if now(ctx) != 2500*time.Millisecond {
			t.Errorf("returned at %v", now(ctx))
		}
		return nil
	})
}

// An attempt that fails because ctx ended is never retried.
func TestRetryNeverRetriesCancellation(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		calls := 0
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			_, err := patterns.Retry(ctx, func(ctx context.Context) (int, error) {
				calls++
				return 0, asyncio.Sleep(ctx, time.Hour)
			}, patterns.RetryAttempts(0))
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) || calls != 1 {
			t.Errorf("error %v after %d calls, want ErrTimeout after 1", err, calls)
		}
		return nil
	})
}

func TestRetryJitterIsSeededAndBounded(t *testing.T) {
	for _, c := range []struct {
		jitter patterns.Jitter
		lo     func(base time.Duration) time.Duration
	}{
		{patterns.FullJitter, func(time.Duration) time.Duration { return 0 }},
		{patterns.EqualJitter, func(b time.Duration) time.Duration { return b / 2 }},
	} {
		pauses := func(t *testing.T) []time.Duration {
			var got []time.Duration
			asynciotest.Run(t, func(ctx context.Context) error {
				var times []time.Duration
				_, err := patterns.Retry(ctx, flaky(8, &times), patterns.RetryAttempts(9),
					patterns.RetryJitter(c.jitter), patterns.RetryRand(rand.New(rand.NewPCG(1, 2))),
					patterns.RetryNotify(func(a patterns.RetryAttempt) { got = append(got, a.Delay) }))
				for i := 1; i < len(times); i++ {
					if times[i]-times[i-1] != got[i-1] {
						t.Errorf("pause %d lasted %v, announced %v", i, times[i]-times[i-1], got[i-1])
					}
				}
				return err
			})
			return got
		}
		first, second := pauses(t), pauses(t)
		if !slices.Equal(first, second) {
			t.Errorf("jitter %d: the same seed gave %v and %v", c.jitter, first, second)
		}
		base := 100 * time.Millisecond
		distinct := map[time.Duration]bool{}
		for i, p := range first {
			if p < c.lo(base) || p > base {
				t.Errorf("jitter %d: pause %d of %v outside [%v, %v]", c.jitter, i, p, c.lo(base), base)
			}
			distinct[p] = true
			base *= 2
		}
		if len(distinct) < len(first) {
			t.Errorf("jitter %d: pauses %v are not random", c.jitter, first)
		}
	}
}

func TestRetryNotify(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var times []time.Duration
		var got []string
		_, err := patterns.Retry(ctx, flaky(2, &times), patterns.RetryNotify(func(a patterns.RetryAttempt) {
			got = append(got, fmt.Sprintf("%d %v %v %v", a.Attempt, a.Elapsed, a.Delay, a.Err))
		}))
		want := []string{"1 0s 100ms attempt 1: flaky", "2 100ms 200ms attempt 2: flaky"}
		if !slices.Equal(got, want) {
			t.Errorf("notified %q, want %q", got, want)
		}
		return err
	})
}

func TestRetryBadBackoffPanics(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		fn := func(context.Context) (int, error) { return 0, nil }
		mustPanic(t, "max < initial", func() { patterns.Retry(ctx, fn, patterns.RetryBackoff(time.Second, time.Millisecond, 2)) })
		mustPanic(t, "multiplier < 1", func() { patterns.Retry(ctx, fn, patterns.RetryBackoff(time.Millisecond, time.Second, 0.5)) })
		return nil
	})
}

func ExampleRetry() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		attempts := 0
		v, err := patterns.Retry(ctx, func(ctx context.Context) (string, error) {
			attempts++
			fmt.Printf("attempt %d at %v\n", attempts, loop.Time())
			if attempts < 4 {
				return "", errors.New("service unavailable")
			}
			return "data", nil
		}, patterns.RetryAttempts(5), patterns.RetryBackoff(time.Second, time.Minute, 2))
		fmt.Println(v, err)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// attempt 1 at 0s
	// attempt 2 at 1s
	// attempt 3 at 3s
	// attempt 4 at 7s
	// data <nil>
}

func TestRetryErrorMessages(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		_, err := patterns.Retry(ctx, func(context.Context) (int, error) {
			return 0, patterns.Permanent(errors.New("bad request"))
		})
		if got := err.Error(); got != "patterns: failed after 1 attempt: bad request" {
			t.Errorf("message %q", got)
		}
		return nil
	})
}

// With no RetryRand, the jitter comes from math/rand/v2's global source.
func TestRetryDefaultRand(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var pauses []time.Duration
		var times []time.Duration
		_, err := patterns.Retry(ctx, flaky(2, &times), patterns.RetryJitter(patterns.FullJitter),
			patterns.RetryNotify(func(a patterns.RetryAttempt) { pauses = append(pauses, a.Delay) }))
		if len(pauses) != 2 || pauses[0] > ms(100) || pauses[1] > ms(200) {
			t.Errorf("pauses %v", pauses)
		}
		return err
	})
}

// Outside a task, Retry sleeps in real time; here for microseconds.
func TestRetryOutsideALoop(t *testing.T) {
	calls := 0
	v, err := patterns.Retry(context.Background(), func(context.Context) (int, error) {
		calls++
		if calls < 3 {
			return 0, errFlaky
		}
		return calls, nil
	}, patterns.RetryBackoff(time.Microsecond, time.Microsecond, 1), patterns.RetryMaxElapsed(time.Minute))
	if v != 3 || err != nil {
		t.Errorf("Retry = %d, %v", v, err)
	}
}
