// Greet ports the seed tutorials' first program, "greet with gather": two
// greetings that sleep for different times run concurrently under Gather,
// so Bob, who waits one second, is greeted before Alice, who waits two, and
// the whole program takes two seconds rather than three.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "greet:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		fmt.Fprintln(w, "Starting the greeting program...")
		// Gather runs both greetings as tasks of their own and waits
		// for both.
		if _, err := asyncio.Gather(ctx,
			greet(w, 2*time.Second, "Alice"),
			greet(w, 1*time.Second, "Bob"),
		); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "Finished greeting!")
		return struct{}{}, nil
	}, opts...)
	return err
}

// greet returns a task body that waits for delay, then greets name. Like
// calling a Python coroutine function, calling greet runs nothing: Gather
// decides when the body runs. The body has no result, hence struct{}.
func greet(w io.Writer, delay time.Duration, name string) func(context.Context) (struct{}, error) {
	return func(ctx context.Context) (struct{}, error) {
		if err := asyncio.Sleep(ctx, delay); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Hello, %s\n", name)
		return struct{}{}, nil
	}
}
