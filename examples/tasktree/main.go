// Tasktree lists a program's pending tasks with what each waits on, the
// way Python 3.14's `python -m asyncio ps` and `pstree` do, but from
// inside the program: Loop.Snapshot, printed as a table and as a tree.
//
// A small pipeline runs: a producer fills a bounded queue, two workers
// take from it and share a lock, a supervisor waits for the workers in a
// task group, and a janitor sleeps. Two more tasks, alice and bob, take
// two locks in opposite orders and deadlock; the snapshot reports the
// await cycle between them, which nothing but a cancellation can end.
//
// The program runs on a virtual clock, so that "waiting for 2.5s" reads
// the same on every run; on a real clock the listing is the same but for
// those times.
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
	if err := run(os.Stdout, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		fmt.Fprintln(os.Stderr, "tasktree:", err)
		os.Exit(1)
	}
}

// run runs the program on a loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		jobs := asyncio.NewQueue[int](2)
		shared := asyncio.NewLock()
		var tasks []*asyncio.Task[struct{}]
		spawn := func(name string, fn func(ctx context.Context) error) {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, fn(ctx)
			}, asyncio.Name(name)))
		}

		spawn("producer", func(ctx context.Context) error {
			for i := 0; ; i++ {
				if err := jobs.Put(ctx, i); err != nil {
					return err
				}
			}
		})
		spawn("supervisor", func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					// Holds the shared lock while it works on a job.
					if err := shared.Acquire(ctx); err != nil {
						return struct{}{}, err
					}
					defer shared.Release()
					return struct{}{}, asyncio.Sleep(ctx, time.Hour)
				}, asyncio.Name("worker-1"))
				asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
					if err := asyncio.Sleep(ctx, time.Second); err != nil {
						return struct{}{}, err
					}
					if err := shared.Acquire(ctx); err != nil {
						return struct{}{}, err
					}
					shared.Release()
					return struct{}{}, nil
				}, asyncio.Name("worker-2"))
				return nil
			})
		})
		spawn("janitor", func(ctx context.Context) error { return asyncio.Sleep(ctx, 10*time.Minute) })

		a, b := asyncio.NewLock(), asyncio.NewLock()
		both := asyncio.NewBarrier(2)
		lockBoth := func(first, second *asyncio.Lock) func(ctx context.Context) error {
			return func(ctx context.Context) error {
				if err := first.Acquire(ctx); err != nil {
					return err
				}
				defer first.Release()
				if _, err := both.Wait(ctx); err != nil { // both hold their first lock
					return err
				}
				if err := second.Acquire(ctx); err != nil {
					return err
				}
				second.Release()
				return nil
			}
		}
		spawn("alice", lockBoth(a, b))
		spawn("bob", lockBoth(b, a))

		if err := asyncio.Sleep(ctx, 3500*time.Millisecond); err != nil {
			return struct{}{}, err
		}
		snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "== asyncio ps ==")
		snap.WriteTable(w)
		fmt.Fprintln(w, "\n== asyncio pstree ==")
		snap.WriteTree(w)

		for _, t := range tasks {
			t.Cancel()
		}
		for _, t := range tasks {
			t.Wait(ctx) // each ends with its cancellation
		}
		return struct{}{}, nil
	}, opts...)
	return err
}
