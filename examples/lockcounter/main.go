// Lockcounter ports the seed tutorials' "lock protecting a shared counter,
// and the race without it": five tasks each add one to a shared counter,
// first without a lock, then holding an asyncio.Lock.
//
// Each increment reads the counter, waits a little (standing for real work,
// such as a database round trip), and writes back what it read plus one.
// Without the lock the program ends with the counter at 1, not 5: four
// updates are lost.
//
// That happens although the loop is single-threaded and runs one task at a
// time. The code a task runs between two waits is atomic with respect to the
// other tasks of its loop, so counter++ on its own could never lose an
// update. But the increment here is split by a wait: the Sleep between the
// read and the write hands the loop to the other tasks, and each of them
// reads the same old value before any has written. When they resume, every
// one writes 0+1. Any wait in that place does it, even Sleep(ctx, 0), which
// gives up the loop for a single iteration. The lost update is a logical
// race, not a data race: the loop hands control from task to task with
// proper synchronisation, so the Go race detector has nothing to report.
//
// The lock makes the read, the wait and the write one critical section:
// a task that finds the lock held waits in Acquire until the holder calls
// Release, so the increments happen one after the other and none is lost.
// They also take five times as long, since the waits no longer overlap.
// Release is deferred, as Python's "async with lock" releases the lock
// however the block ends.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

const (
	tasks = 5
	// work is how long an increment waits between its read and its write.
	work = 100 * time.Millisecond
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lockcounter:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		// counter is shared by the tasks of one loop only, which take
		// turns: it needs no mutex, only, across waits, a Lock.
		counter := 0

		// since reports the loop time since start, rounded so that the
		// real clock prints what the virtual one does.
		since := func(start time.Duration) string {
			return fmt.Sprintf("%.1fs", (loop.Time() - start).Round(100*time.Millisecond).Seconds())
		}

		// Without the lock: the race.
		incrementWithoutLock := func(name string) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				current := counter
				// The race window: every other task runs here.
				if err := asyncio.Sleep(ctx, work); err != nil {
					return struct{}{}, err
				}
				counter = current + 1
				fmt.Fprintf(w, "%s: counter=%d\n", name, counter)
				return struct{}{}, nil
			}
		}
		start := loop.Time()
		if _, err := asyncio.Gather(ctx, increments(incrementWithoutLock)...); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "Without lock: %d (expected %d: %d updates lost) in %s\n\n",
			counter, tasks, tasks-counter, since(start))

		// With the lock: correct.
		lock := asyncio.NewLock()
		incrementWithLock := func(name string) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				if err := lock.Acquire(ctx); err != nil {
					return struct{}{}, err
				}
				defer lock.Release()
				// Critical section: only one task at a time.
				fmt.Fprintf(w, "%s: acquired lock\n", name)
				current := counter
				if err := asyncio.Sleep(ctx, work); err != nil {
					return struct{}{}, err
				}
				counter = current + 1
				fmt.Fprintf(w, "%s: released lock, counter=%d\n", name, counter)
				return struct{}{}, nil
			}
		}
		counter = 0
		start = loop.Time()
		if _, err := asyncio.Gather(ctx, increments(incrementWithLock)...); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintf(w, "With lock: %d (expected %d) in %s\n", counter, tasks, since(start))
		return struct{}{}, nil
	}, opts...)
	return err
}

// increments returns the bodies of the tasks Task-1 to Task-N made by
// increment, for Gather.
func increments(increment func(name string) func(context.Context) (struct{}, error)) []func(context.Context) (struct{}, error) {
	fns := make([]func(context.Context) (struct{}, error), tasks)
	for i := range fns {
		fns[i] = increment(fmt.Sprintf("Task-%d", i+1))
	}
	return fns
}
