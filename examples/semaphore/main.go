// Semaphore ports the seed tutorials' "semaphore limiting concurrency":
// ten downloads start at once, but a semaphore of three permits lets at
// most three of them run at any time (asyncio.Semaphore). Each download
// reports, at the loop time it happens, when it starts waiting for a
// permit, when it gets one and when it gives it back; the program ends with
// the largest number of downloads it saw running together.
//
// The seed's tasks all work for two seconds; here each download takes a
// time of its own, as real downloads do. The times are chosen so that no
// two downloads finish at the same moment, which keeps the order of the
// lines the same on the real clock, where two timers set for "the same"
// time are in fact microseconds apart.
//
// The semaphore is fair: a permit that is given back goes straight to the
// download that has waited longest, so the downloads get their permits in
// the order they asked for them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

// limit is the number of downloads that may run at once.
const limit = 3

// durations are how long the downloads take, in order.
var durations = []time.Duration{
	1200 * time.Millisecond,
	500 * time.Millisecond,
	900 * time.Millisecond,
	600 * time.Millisecond,
	1100 * time.Millisecond,
	400 * time.Millisecond,
	700 * time.Millisecond,
	1000 * time.Millisecond,
	500 * time.Millisecond,
	300 * time.Millisecond,
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "semaphore:", err)
		os.Exit(1)
	}
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		// log prints a line stamped with the loop time since start,
		// rounded so that the real clock prints what the virtual one does.
		log := func(format string, args ...any) {
			at := (loop.Time() - start).Round(100 * time.Millisecond)
			fmt.Fprintf(w, "[%.1fs] %s\n", at.Seconds(), fmt.Sprintf(format, args...))
		}

		sem := asyncio.NewSemaphore(limit)
		// running and maxRunning are shared by the tasks of one loop,
		// which take turns: no mutex is needed.
		running, maxRunning := 0, 0

		download := func(name string, d time.Duration) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				log("%s: waiting for semaphore", name)
				if err := sem.Acquire(ctx); err != nil {
					return struct{}{}, err
				}
				// Release is deferred, as "async with semaphore"
				// releases however the block ends.
				defer sem.Release()
				running++
				maxRunning = max(maxRunning, running)
				log("%s: acquired semaphore (%d running)", name, running)
				if err := asyncio.Sleep(ctx, d); err != nil {
					return struct{}{}, err
				}
				running--
				log("%s: releasing semaphore", name)
				return struct{}{}, nil
			}
		}

		downloads := make([]func(context.Context) (struct{}, error), len(durations))
		var total time.Duration
		for i, d := range durations {
			downloads[i] = download(fmt.Sprintf("Download-%d", i+1), d)
			total += d
		}
		if _, err := asyncio.Gather(ctx, downloads...); err != nil {
			return struct{}{}, err
		}
		log("all %d downloads done (one at a time they would take %.1fs)", len(downloads), total.Seconds())
		fmt.Fprintf(w, "Max concurrent downloads observed: %d (limit %d)\n", maxRunning, limit)
		return struct{}{}, nil
	}, opts...)
	return err
}
