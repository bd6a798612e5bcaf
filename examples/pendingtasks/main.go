// Pendingtasks ports the seed tutorials' "listing pending tasks": a task
// lists every task of its loop that has not finished (asyncio.all_tasks),
// marking itself (asyncio.current_task), while another task sleeps. Main
// then cancels the sleeper and lists the tasks again.
//
// AllTasks returns the tasks in the order they were spawned, where Python
// returns an unordered set, so the listing is the same on every run.
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
		fmt.Fprintln(os.Stderr, "pendingtasks:", err)
		os.Exit(1)
	}
}

// trackTasks prints the tasks of the loop that are not done.
func trackTasks(ctx context.Context, w io.Writer) {
	tasks := asyncio.AllTasks(ctx)
	current := asyncio.CurrentTask(ctx)
	fmt.Fprintf(w, "Total tasks: %d\n", len(tasks))
	for _, t := range tasks {
		// Only one task runs at a time: the one asking. Every other
		// task not done is suspended in a wait.
		state := "waiting"
		if t == current {
			state = "running (current task)"
		}
		fmt.Fprintf(w, " - %s: %s\n", t.Name(), state)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		sleeper := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Sleep(ctx, 5*time.Second)
		}, asyncio.Name("sleep-task"))
		tracker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			trackTasks(ctx, w)
			return struct{}{}, nil
		}, asyncio.Name("tracking"))

		if _, err := tracker.Wait(ctx); err != nil {
			return struct{}{}, err
		}

		// The seed leaves the cancelled sleeper to asyncio.run's
		// shutdown; waiting for it here shows that it ended.
		sleeper.Cancel()
		if _, err := sleeper.Wait(ctx); !errors.Is(err, context.Canceled) {
			return struct{}{}, fmt.Errorf("sleep-task: got %v, want a cancellation", err)
		}
		fmt.Fprintln(w, "sleep-task cancelled:", sleeper.Cancelled())
		trackTasks(ctx, w)
		return struct{}{}, nil
	}, opts...)
	return err
}
