package patterns

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ErrRetriesExhausted is matched by the error of Retry when it gave up
// because the attempts or the time allowed ran out, as opposed to a
// failure it was told not to retry or the end of ctx:
// errors.Is(err, ErrRetriesExhausted).
var ErrRetriesExhausted = errors.New("patterns: retries exhausted")

// A RetryError is the error of Retry when no attempt succeeded. It wraps
// the error that ended the retrying, so errors.Is and errors.As see through
// it to the error of the last attempt (and to ctx's error, if ctx ended
// during a pause between attempts).
type RetryError struct {
	// Attempts is the number of times fn was called.
	Attempts int
	// Err is the error of the last attempt, or, if ctx ended while Retry
	// paused before the next attempt, ctx's error joined with it.
	Err error

	exhausted bool
}

// Error describes the failure and the number of attempts.
func (e *RetryError) Error() string {
	s := "attempts"
	if e.Attempts == 1 {
		s = "attempt"
	}
	if e.exhausted {
		return fmt.Sprintf("patterns: gave up after %d %s: %v", e.Attempts, s, e.Err)
	}
	return fmt.Sprintf("patterns: failed after %d %s: %v", e.Attempts, s, e.Err)
}

// Unwrap returns the error that ended the retrying.
func (e *RetryError) Unwrap() error { return e.Err }

// Is reports whether target is ErrRetriesExhausted and Retry gave up for
// lack of attempts or time.
func (e *RetryError) Is(target error) bool { return target == ErrRetriesExhausted && e.exhausted }

// Permanent wraps err so that Retry returns at once instead of trying again,
// whatever its RetryIf says: fn uses it for a failure that another attempt
// cannot fix. errors.Is and errors.As see through the wrapper. Permanent(nil)
// is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// A Jitter says how Retry randomises its pauses, which keeps many clients
// that failed together from retrying in lockstep.
type Jitter int

const (
	// NoJitter pauses for exactly the backoff delay.
	NoJitter Jitter = iota
	// FullJitter pauses for a uniformly random time between zero and the
	// backoff delay (AWS's "full jitter"; tenacity's wait_random_exponential).
	FullJitter
	// EqualJitter pauses for half the backoff delay plus a uniformly random
	// time up to the other half.
	EqualJitter
)

// A RetryOption configures Retry.
type RetryOption func(*retryConfig)

type retryConfig struct {
	attempts   int
	maxElapsed time.Duration
	backoff    Backoff
	retryIf    func(error) bool
	notify     func(RetryAttempt)
}

// A RetryAttempt describes a failed attempt that Retry is about to retry,
// for RetryNotify.
type RetryAttempt struct {
	// Attempt counts the attempts made so far, from 1.
	Attempt int
	// Err is the error of this attempt.
	Err error
	// Delay is how long Retry will pause before the next attempt.
	Delay time.Duration
	// Elapsed is the loop time since Retry began.
	Elapsed time.Duration
}

// RetryAttempts sets the number of attempts at most, the first included
// (default 3). n ≤ 0 means no limit: Retry then goes on until an attempt
// succeeds, RetryMaxElapsed runs out, or ctx ends.
func RetryAttempts(n int) RetryOption { return func(c *retryConfig) { c.attempts = n } }

// RetryMaxElapsed bounds the time Retry spends, on the loop's clock: it makes
// no attempt that would start more than d after the first (default: no
// bound). An attempt in progress is not cut short; bound that with a
// timeout scope inside fn.
func RetryMaxElapsed(d time.Duration) RetryOption { return func(c *retryConfig) { c.maxElapsed = d } }

// RetryBackoff sets the exponential backoff: the pause after the first
// failure is initial, and each later one is multiplier times the one before,
// up to max (default 100 ms, 10 s, 2). A multiplier of 1 gives constant
// pauses. initial < 0, max < initial or multiplier < 1 panics in Retry.
func RetryBackoff(initial, max time.Duration, multiplier float64) RetryOption {
	return func(c *retryConfig) {
		c.backoff.Initial, c.backoff.Max, c.backoff.Multiplier = initial, max, multiplier
	}
}

// RetryJitter sets how the pauses are randomised (default NoJitter).
func RetryJitter(j Jitter) RetryOption { return func(c *retryConfig) { c.backoff.Jitter = j } }

// RetryRand sets the source of randomness of the jitter, so that a test or a
// simulation seeded with rand.New(rand.NewPCG(1, 2)) pauses the same way on
// every run (default: math/rand/v2's global source). A *rand.Rand is not safe
// for concurrent use: give each concurrent Retry its own.
func RetryRand(r *rand.Rand) RetryOption { return func(c *retryConfig) { c.backoff.Rand = r } }

// RetryIf sets which errors are worth another attempt (default: every
// error). An error wrapped with Permanent, and the end of ctx, always stop
// Retry.
func RetryIf(pred func(error) bool) RetryOption { return func(c *retryConfig) { c.retryIf = pred } }

// RetryNotify sets a function called after each failed attempt that will be
// retried, before the pause: for logging.
func RetryNotify(fn func(RetryAttempt)) RetryOption { return func(c *retryConfig) { c.notify = fn } }

// Retry calls fn until it succeeds, pausing between attempts with
// exponential backoff, and returns its result (tenacity's retry, the
// backoff package's on_exception). It stops and returns a *RetryError,
// wrapping the last attempt's error, when:
//
//   - the attempts (RetryAttempts) or the time (RetryMaxElapsed) run out:
//     the error then matches ErrRetriesExhausted;
//   - an attempt fails with an error that RetryIf rejects or that was
//     wrapped with Permanent;
//   - ctx ends: Retry never retries once ctx is done, whatever the error.
//     If ctx ends during a pause, the error wraps ctx's error and the last
//     attempt's, so errors.Is(err, context.Canceled) holds.
//
// The pauses are asyncio.Sleep(ctx, d): they suspend the task, end at once
// when ctx is cancelled, and run on the loop's clock, so under a virtual
// clock an hour of retries takes no real time and the attempts happen at
// exact times. fn is called with ctx itself.
func Retry[T any](ctx context.Context, fn func(context.Context) (T, error), opts ...RetryOption) (T, error) {
	cfg := retryConfig{attempts: 3, backoff: DefaultBackoff}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.backoff.check(); err != nil {
		panic("patterns: Retry: " + err.Error())
	}
	start := now(ctx)
	var zero T
	for attempt := 1; ; attempt++ {
		v, err := fn(ctx)
		if err == nil {
			return v, nil
		}
		switch {
		case ctx.Err() != nil, IsPermanent(err), cfg.retryIf != nil && !cfg.retryIf(err):
			return zero, &RetryError{Attempts: attempt, Err: err}
		case cfg.attempts > 0 && attempt >= cfg.attempts:
			return zero, &RetryError{Attempts: attempt, Err: err, exhausted: true}
		}
		pause := cfg.backoff.Delay(attempt)
		elapsed := now(ctx) - start
		if cfg.maxElapsed > 0 && elapsed+pause > cfg.maxElapsed {
			return zero, &RetryError{Attempts: attempt, Err: err, exhausted: true}
		}
		if cfg.notify != nil {
			cfg.notify(RetryAttempt{Attempt: attempt, Err: err, Delay: pause, Elapsed: elapsed})
		}
		if serr := asyncio.Sleep(ctx, pause); serr != nil {
			return zero, &RetryError{Attempts: attempt, Err: fmt.Errorf("%w (last attempt: %w)", serr, err)}
		}
	}
}

// now returns the time of ctx's loop, or the monotonic wall clock outside a
// loop, where asyncio.Sleep sleeps for real time too.
func now(ctx context.Context) time.Duration {
	if l := asyncio.RunningLoop(ctx); l != nil {
		return l.Time()
	}
	return time.Since(processStart)
}

var processStart = time.Now()
