// Timeout ports the seed tutorials' "timeout handling": asyncio.wait_for
// gives a slow operation a time limit, and the caller handles the
// TimeoutError it raises when the limit passes. Here WaitFor and the
// Timeout scope (asyncio.timeout) do the same; the operation sees its ctx
// end, and the caller gets ErrTimeout, which also satisfies
// errors.Is(err, context.DeadlineExceeded). The seeds' delays (an
// operation of 10 s given 5 s, one of 5 s given 3 s) are divided by ten.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "timeout:", err)
		os.Exit(1)
	}
}

// slowOperation takes one second to produce its result.
func slowOperation(w io.Writer) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			// Inside the scope the expiry looks like any deadline;
			// only the scope that set it turns it into ErrTimeout.
			fmt.Fprintln(w, "slow operation stopped:", err)
			return "", err
		}
		return "Result", nil
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		// since reports the loop time since start, rounded so that the
		// real clock prints what the virtual one does in the test.
		since := func(start time.Duration) time.Duration {
			return (loop.Time() - start).Round(100 * time.Millisecond)
		}

		// asyncio.wait_for(slow_operation(), timeout=0.5)
		start := loop.Time()
		result, err := asyncio.WaitFor(ctx, 500*time.Millisecond, slowOperation(w))
		switch {
		case errors.Is(err, asyncio.ErrTimeout):
			fmt.Fprintf(w, "Operation timed out after %v\n", since(start))
			fmt.Fprintln(w, "errors.Is(err, context.DeadlineExceeded):", errors.Is(err, context.DeadlineExceeded))
		case err != nil:
			return struct{}{}, err
		default:
			fmt.Fprintln(w, "Result:", result)
		}

		// The same operation, given enough time.
		start = loop.Time()
		result, err = asyncio.WaitFor(ctx, 2*time.Second, slowOperation(w))
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Result: %s after %v\n", result, since(start))

		// async with asyncio.timeout(0.3): await some_function()
		start = loop.Time()
		err = asyncio.Timeout(ctx, 300*time.Millisecond, func(ctx context.Context) error {
			return asyncio.Sleep(ctx, 500*time.Millisecond) // some_function
		})
		switch {
		case errors.Is(err, asyncio.ErrTimeout):
			fmt.Fprintf(w, "Task took too long. (gave up after %v)\n", since(start))
		case err != nil:
			return struct{}{}, err
		default:
			fmt.Fprintln(w, "Task finished in time.")
		}
		return struct{}{}, nil
	}, opts...)
	return err
}
