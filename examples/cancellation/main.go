// Cancellation ports the seed tutorials' "cancellation with cleanup": a
// task works in one-second steps until main cancels it, halfway through its
// third step. The cancellation arrives as the error of the task's current
// wait; the task's deferred cleanup runs, and main, waiting for the task,
// confirms with errors.Is(err, context.Canceled) that it was cancelled.
//
// Cancellation is level-triggered: once a task is cancelled every later
// wait in it fails at once too. Cleanup that must itself wait (flushing a
// buffer, saying goodbye to a server) therefore runs under
// context.WithoutCancel, which shields it.
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
		fmt.Fprintln(os.Stderr, "cancellation:", err)
		os.Exit(1)
	}
}

// cancellableTask works for ten seconds unless it is cancelled first.
func cancellableTask(w io.Writer) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		// The deferred cleanup runs however the task ends.
		defer cleanup(ctx, w)
		for i := range 10 {
			fmt.Fprintf(w, "Working: %d\n", i)
			if err := asyncio.Sleep(ctx, time.Second); err != nil {
				if errors.Is(err, context.Canceled) {
					fmt.Fprintln(w, "Task was cancelled")
				}
				return "", err // pass the cancellation on, like Python's raise
			}
		}
		return "Complete", nil
	}
}

// cleanup releases the task's resources. It waits, so it shields itself
// from the task's cancellation; without that, its Sleep would fail at once.
func cleanup(ctx context.Context, w io.Writer) {
	fmt.Fprintln(w, "Cleaning up...")
	if err := asyncio.Sleep(context.WithoutCancel(ctx), 100*time.Millisecond); err != nil {
		fmt.Fprintln(w, "cleanup interrupted:", err)
		return
	}
	fmt.Fprintln(w, "Cleanup done")
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		task := asyncio.Spawn(ctx, cancellableTask(w), asyncio.Name("worker"))

		// Let it run for a bit. The seed waits three seconds; two and a
		// half make the cancellation land in the middle of a step rather
		// than at the instant the task's own sleep ends.
		if err := asyncio.Sleep(ctx, 2500*time.Millisecond); err != nil {
			return struct{}{}, err
		}
		task.Cancel()

		// Wait returns once the task has ended, cleanup included.
		_, err := task.Wait(ctx)
		switch {
		case errors.Is(err, context.Canceled):
			fmt.Fprintln(w, "Confirmed: task was cancelled")
		case err != nil:
			return struct{}{}, err
		default:
			fmt.Fprintln(w, "The task finished before it was cancelled")
		}
		return struct{}{}, nil
	}, opts...)
	return err
}
