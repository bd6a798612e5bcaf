// Producerconsumer ports the seed tutorials' "producer–consumer with a
// bounded queue and sentinels": two producers put items in an
// asyncio.Queue that holds at most three, and three consumers take them
// out and process them. A producer that finds the queue full waits in Put
// until a consumer makes room, so no more than three items ever wait in
// the queue, however far the producers are ahead.
//
// A consumer stops when it takes a sentinel, a nil item standing for
// Python's None. The seed has each of its two producers put one sentinel
// for three consumers, so one consumer never stops and the seed's gather
// never returns; here main puts the sentinels once both producers are done,
// one per consumer. Consumers call TaskDone for every item they take,
// sentinels included, and main waits with Join until all of them have been
// processed, as the seed does with queue.join().
//
// The seed sleeps for random times; here the times come from fixed tables,
// so that the output is the same on every run. They are chosen so that no
// two sleeps end at the same moment: on the real clock, two timers due at
// "the same" time are microseconds apart and may fire in either of two
// iterations of the loop, which could change the order of the lines.
//
// Since asyncio 3.13 (and here), Queue.Shutdown can stand in for sentinels:
// Get fails with ErrQueueShutDown once the queue is shut down and empty.
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
	maxSize   = 3 // the queue's capacity
	consumers = 3
)

// item is a piece of work; nil is the sentinel.
type item struct {
	name string
	cost time.Duration // how long processing it takes
}

// A producer makes one item after each pause, each with its cost.
type producer struct {
	name   string
	pauses []time.Duration
	costs  []time.Duration
}

var producers = []producer{
	{
		name:   "Producer-1",
		pauses: ms(100, 200, 100, 200, 200),
		costs:  ms(800, 800, 700, 700, 900),
	},
	{
		name:   "Producer-2",
		pauses: ms(200, 300, 200, 300, 300),
		costs:  ms(800, 700, 400, 300, 900),
	},
}

func ms(v ...int) []time.Duration {
	ds := make([]time.Duration, len(v))
	for i, n := range v {
		ds[i] = time.Duration(n) * time.Millisecond
	}
	return ds
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "producerconsumer:", err)
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

		queue := asyncio.NewQueue[*item](maxSize)

		produce := func(p producer) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				for i, pause := range p.pauses {
					if err := asyncio.Sleep(ctx, pause); err != nil {
						return struct{}{}, err
					}
					it := &item{name: fmt.Sprintf("%s-item-%d", p.name, i), cost: p.costs[i]}
					if queue.Full() {
						log("%s: queue full, waiting to put %s", p.name, it.name)
					}
					if err := queue.Put(ctx, it); err != nil {
						return struct{}{}, err
					}
					log("%s: produced %s", p.name, it.name)
				}
				return struct{}{}, nil
			}
		}

		consume := func(name string) func(context.Context) error {
			return func(ctx context.Context) error {
				for {
					it, err := queue.Get(ctx) // waits until an item is available
					if err != nil {
						return err
					}
					if it == nil { // the sentinel: shut down
						log("%s: got sentinel, stopping", name)
						queue.TaskDone()
						return nil
					}
					log("%s: consumed %s", name, it.name)
					if err := asyncio.Sleep(ctx, it.cost); err != nil {
						return err
					}
					queue.TaskDone()
				}
			}
		}

		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for i := range consumers {
				name := fmt.Sprintf("Consumer-%d", i+1)
				g.Go(consume(name), asyncio.Name(name))
			}
			producing := make([]func(context.Context) (struct{}, error), len(producers))
			for i, p := range producers {
				producing[i] = produce(p)
			}
			if _, err := asyncio.Gather(ctx, producing...); err != nil {
				return err
			}
			log("Producers done: sending %d sentinels", consumers)
			for range consumers {
				if err := queue.Put(ctx, nil); err != nil {
					return err
				}
			}
			// Wait for all items to be processed.
			if err := queue.Join(ctx); err != nil {
				return err
			}
			log("All tasks complete")
			return nil
		})
		return struct{}{}, err
	}, opts...)
	return err
}
