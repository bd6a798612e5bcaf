// Condition ports the seed tutorials' "condition with wait_for": consumers
// wait on an asyncio.Condition until a shared list of items is not empty,
// and producers add items and notify one waiting consumer each time.
//
// The seed's consumers take one item each and stop. Here three consumers
// take items until the producers are finished, which is also shared state
// under the condition's lock: WaitFor's predicate is "there is an item, or
// no more will come". When both producers have finished, main sets that
// flag and calls NotifyAll to wake every consumer; each finds the list
// empty and the flag set, and leaves. WaitFor checks its predicate again
// every time the consumer wakes, holding the lock, so a consumer never acts
// on a change that another task has undone in the meantime.
//
// Notify(1) wakes the consumer that has waited longest, so the items go
// round the consumers in turn.
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
		fmt.Fprintln(os.Stderr, "condition:", err)
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

		// The shared state, guarded by the condition's lock.
		cond := asyncio.NewCondition(nil)
		var items []string
		finished := false

		consumer := func(name string) func(context.Context) error {
			return func(ctx context.Context) error {
				if err := cond.Acquire(ctx); err != nil {
					return err
				}
				defer cond.Release()
				log("%s: waiting for items", name)
				for {
					// Wait until items are available, or none
					// will be. Wait gives the lock up meanwhile.
					if err := cond.WaitFor(ctx, func() bool { return len(items) > 0 || finished }); err != nil {
						return err
					}
					if len(items) == 0 {
						log("%s: no more items, leaving", name)
						return nil
					}
					item := items[0]
					items = items[1:]
					log("%s: consumed %s", name, item)
				}
			}
		}

		// producer makes an item every interval, n times.
		producer := func(name string, interval time.Duration, n int) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				for i := 1; i <= n; i++ {
					if err := asyncio.Sleep(ctx, interval); err != nil {
						return struct{}{}, err
					}
					if err := cond.Acquire(ctx); err != nil {
						return struct{}{}, err
					}
					item := fmt.Sprintf("%s-item-%d", name, i)
					items = append(items, item)
					log("%s: produced %s", name, item)
					// Notify one waiting consumer (NotifyAll
					// would wake them all).
					cond.Notify(1)
					cond.Release()
				}
				return struct{}{}, nil
			}
		}

		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for _, name := range []string{"Consumer-1", "Consumer-2", "Consumer-3"} {
				g.Go(consumer(name), asyncio.Name(name))
			}
			// The producers' times never coincide, so the order of
			// the lines is the same on the real clock.
			if _, err := asyncio.Gather(ctx,
				producer("Producer-1", 1000*time.Millisecond, 3),
				producer("Producer-2", 1300*time.Millisecond, 2),
			); err != nil {
				return err
			}

			// No more items will come: tell every consumer.
			if err := cond.Acquire(ctx); err != nil {
				return err
			}
			finished = true
			log("Producers finished: notifying all consumers")
			cond.NotifyAll()
			cond.Release()
			return nil
		})
		return struct{}{}, err
	}, opts...)
	return err
}
