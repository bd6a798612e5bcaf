package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// enqueuers is how many tasks enqueue at once: each Enqueue waits for the
// server's acknowledgement, so this many are in flight.
const enqueuers = 100

// coordinate starts the workers, fans the jobs out and their results in,
// prints the summary and stops the workers.
func coordinate(out, log io.Writer, self command, natsURL, queue string, n, workers int) error {
	if queue == "" {
		var b [4]byte
		rand.Read(b[:])
		queue = "jobsfanout-" + hex.EncodeToString(b[:])
	}
	return untilSignalled(func(ctx context.Context) (err error) {
		c, err := jobs.Connect(ctx, natsURL)
		if err != nil {
			return err
		}
		defer func() {
			ctx := context.WithoutCancel(ctx)
			err = errors.Join(err, jobs.DeleteQueue(ctx, c, queue), c.Close(ctx))
		}()

		var ws []*child
		defer func() {
			for _, w := range ws {
				w.kill(ctx)
			}
		}()
		for range workers {
			w, err := start(ctx, self, "-role", "worker", "-queue", queue, "-nats", natsURL)
			if err != nil {
				return err
			}
			ws = append(ws, w)
		}
		fmt.Fprintf(out, "%d workers ready\n", workers)

		began := time.Now()
		steps, err := fanOut(ctx, c, queue, n)
		if err != nil {
			return err
		}
		took := time.Since(began)
		fmt.Fprintf(out, "%d jobs enqueued and %d results back\n", n, len(steps))
		sum := summarize(steps)
		fmt.Fprint(out, sum)
		local := make([]int, n)
		for i := range local {
			local[i], _ = collatz(ctx, int64(i+1))
		}
		if summarize(local) != sum {
			return errors.New("the results differ from the same sums computed here")
		}
		fmt.Fprintln(out, "the same as computed here")

		// Each worker finishes the jobs it holds and exits; they shut
		// down side by side.
		for _, w := range ws {
			if err := w.terminate(); err != nil {
				return err
			}
		}
		var counts []string
		total := 0
		for _, w := range ws {
			said, err := w.wait(ctx)
			if err != nil {
				return err
			}
			ran, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(said), "ran "))
			if err != nil {
				return fmt.Errorf("a worker said %q", said)
			}
			counts = append(counts, strconv.Itoa(ran))
			total += ran
		}
		fmt.Fprintf(out, "%d workers stopped\n", workers)
		// Which worker took which job, and whether one ran twice (delivery
		// is at least once), changes from run to run: for the reader only.
		fmt.Fprintf(log, "jobsfanout: %d jobs in %v (%.0f jobs/s); jobs run per worker: %s (%d in all)\n",
			n, took.Round(time.Millisecond), float64(n)/took.Seconds(), strings.Join(counts, " "), total)
		return nil
	})
}

// fanOut enqueues a collatz job for each number from 1 to n and awaits
// every result, each in a task of its own, and returns the results in
// the order of the numbers.
func fanOut(ctx context.Context, c *jobs.Client, queue string, n int) ([]int, error) {
	steps := make([]int, n)
	next := 0 // the enqueuers share it: they run on one loop
	err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for range min(enqueuers, n) {
			g.Go(func(ctx context.Context) error {
				for next < n {
					i := next
					next++
					job, err := c.Enqueue(ctx, collatzFunc, i+1, jobs.OnQueue(queue))
					if err != nil {
						return err
					}
					// Fan in: a task per job waits for its result, while
					// this one enqueues the next.
					g.Go(func(ctx context.Context) error {
						r, err := jobs.ResultOf[int](ctx, job)
						steps[i] = r
						return err
					})
				}
				return nil
			})
		}
		return nil
	})
	return steps, err
}

// summarize says what the results add up to: their sum, the longest
// sequence, and a checksum of every result in order.
func summarize(steps []int) string {
	h := sha256.New()
	total, longest := 0, 0
	for i, s := range steps {
		fmt.Fprintf(h, "%d %d\n", i+1, s)
		total += s
		if s > steps[longest] {
			longest = i
		}
	}
	return fmt.Sprintf("steps in all: %d; the longest: %d steps, from %d; checksum %x\n",
		total, steps[longest], longest+1, h.Sum(nil)[:8])
}
