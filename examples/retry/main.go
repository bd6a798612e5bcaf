// Retry ports the seed tutorials' "retry with exponential backoff": an
// operation that fails now and then is retried with patterns.Retry, which
// pauses between attempts for a time that doubles after each failure, with
// jitter so that many clients that failed together do not retry in
// lockstep. The program prints when each attempt ran, in loop time.
//
// The jitter comes from a seeded random source, so the pauses are the same
// on every run; under the virtual clock of the test the whole program
// takes no real time.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "retry:", err)
		os.Exit(1)
	}
}

// errUnavailable is what the flaky service fails with.
var errUnavailable = errors.New("service unavailable")

// flaky returns an operation that fails the first failures times it is
// called, then returns a result, printing when each call ran.
func flaky(w io.Writer, failures int, since func() time.Duration) func(context.Context) (string, error) {
	calls := 0
	return func(ctx context.Context) (string, error) {
		calls++
		fmt.Fprintf(w, "  attempt %d at %v", calls, since())
		// The call itself takes 50ms.
		if err := asyncio.Sleep(ctx, 50*time.Millisecond); err != nil {
			return "", err
		}
		if calls <= failures {
			fmt.Fprintln(w, ": failed")
			return "", errUnavailable
		}
		fmt.Fprintln(w, ": ok")
		return "the data", nil
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		var start time.Duration
		// since is the loop time since start, rounded so that the real
		// clock prints what the virtual one does.
		since := func() time.Duration { return (loop.Time() - start).Round(10 * time.Millisecond) }
		backoff := []patterns.RetryOption{
			patterns.RetryBackoff(200*time.Millisecond, 2*time.Second, 2),
			patterns.RetryJitter(patterns.EqualJitter),
			patterns.RetryRand(rand.New(rand.NewPCG(354, 1))),
			patterns.RetryNotify(func(a patterns.RetryAttempt) {
				fmt.Fprintf(w, "  retrying in %v\n", a.Delay.Round(time.Millisecond))
			}),
		}

		fmt.Fprintln(w, "A service that fails three times, then answers:")
		start = loop.Time()
		v, err := patterns.Retry(ctx, flaky(w, 3, since), append(backoff, patterns.RetryAttempts(5))...)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "  got %q after %v\n", v, since())

		fmt.Fprintln(w, "A service that is down, with 4 attempts allowed:")
		start = loop.Time()
		_, err = patterns.Retry(ctx, flaky(w, 100, since), append(backoff, patterns.RetryAttempts(4))...)
		fmt.Fprintf(w, "  %v after %v\n", err, since())
		if !errors.Is(err, patterns.ErrRetriesExhausted) || !errors.Is(err, errUnavailable) {
			return struct{}{}, fmt.Errorf("unexpected error: %w", err)
		}
		return struct{}{}, nil
	}, opts...)
	return err
}
