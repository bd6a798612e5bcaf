// Jobsqueue is the seeds' producer–consumer across processes: producers
// put orders on a jobs.Queue kept by NATS JetStream, consumers take them,
// process them and mark them done, and the producer side waits with Join
// until every order it put is processed, wherever.
//
// Run both sides in one process (two Clients, as two machines would have):
//
//	go run ./examples/jobsqueue
//
// or each in its own, as many consumers as you like:
//
//	go run ./examples/jobsqueue -role consumer -n 10 &
//	go run ./examples/jobsqueue -role producer
//
// The server is NATS_URL (default nats://127.0.0.1:4222), with JetStream.
// Consumers finish in any order; the summary at the end is sorted.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// An order is the work: its cost is how long processing it takes.
type order struct {
	ID       int           `json:"id"`
	Producer string        `json:"producer"`
	Cost     time.Duration `json:"cost"`
}

const (
	producers = 2
	perProd   = 5
	consumers = 3
)

func main() {
	role := flag.String("role", "both", "producer, consumer or both")
	queue := flag.String("queue", "jobsqueue-example", "the queue's name")
	n := flag.Int("n", producers*perProd, "for -role consumer: how many orders to process before leaving")
	flag.Parse()
	url := os.Getenv("NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	if err := run(os.Stdout, url, *queue, *role, *n); err != nil {
		fmt.Fprintln(os.Stderr, "jobsqueue:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, url, queue, role string, n int) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		switch role {
		case "producer":
			return struct{}{}, produce(ctx, w, url, queue)
		case "consumer":
			done, err := consume(ctx, url, queue, n)
			report(w, done)
			return struct{}{}, err
		case "both":
			return struct{}{}, both(ctx, w, url, queue)
		}
		return struct{}{}, fmt.Errorf("unknown role %q", role)
	})
	return err
}

// both runs the consumers as a task beside the producers.
func both(ctx context.Context, w io.Writer, url, queue string) error {
	consumers := asyncio.Spawn(ctx, func(ctx context.Context) ([]order, error) {
		return consume(ctx, url, queue, producers*perProd)
	})
	if err := produce(ctx, w, url, queue); err != nil {
		consumers.Cancel()
		return err
	}
	done, err := consumers.Wait(ctx)
	report(w, done)
	return err
}

// produce puts the orders from producers tasks and waits until all are
// processed.
func produce(ctx context.Context, w io.Writer, url, queue string) error {
	c, err := jobs.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	q, err := jobs.OpenQueue[order](ctx, c, queue)
	if err != nil {
		return err
	}
	err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for p := range producers {
			asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
				name := fmt.Sprintf("Producer-%d", p+1)
				for i := range perProd {
					o := order{ID: p*perProd + i + 1, Producer: name, Cost: time.Duration(10*(i+1)) * time.Millisecond}
					// The id makes a Put that is retried store the order once.
					if err := q.Put(ctx, o, jobs.MsgID(fmt.Sprintf("%s-order-%d", queue, o.ID))); err != nil {
						return struct{}{}, err
					}
				}
				return struct{}{}, nil
			})
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "put %d orders; waiting until they are processed\n", producers*perProd)
	if err := q.Join(ctx); err != nil {
		return err
	}
	fmt.Fprintln(w, "all orders processed")
	return nil
}

// consume takes n orders with consumers tasks and returns them.
func consume(ctx context.Context, url, queue string, n int) ([]order, error) {
	c, err := jobs.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer c.Close(ctx)
	q, err := jobs.OpenQueue[order](ctx, c, queue)
	if err != nil {
		return nil, err
	}
	var done []order
	left := n
	err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for range consumers {
			asyncio.SpawnIn(g, func(ctx context.Context) (struct{}, error) {
				for left > 0 {
					left-- // counted before the wait: the consumers share it
					it, err := q.Get(ctx)
					if errors.Is(err, asyncio.ErrQueueShutDown) {
						return struct{}{}, nil
					}
					if err != nil {
						return struct{}{}, err
					}
					if err := asyncio.Sleep(ctx, it.Value.Cost); err != nil {
						return struct{}{}, err
					}
					done = append(done, it.Value)
					if err := it.TaskDone(); err != nil {
						return struct{}{}, err
					}
				}
				return struct{}{}, nil
			})
		}
		return nil
	})
	return done, err
}

func report(w io.Writer, done []order) {
	slices.SortFunc(done, func(a, b order) int { return a.ID - b.ID })
	var total time.Duration
	for _, o := range done {
		fmt.Fprintf(w, "order %d from %s processed (%v)\n", o.ID, o.Producer, o.Cost)
		total += o.Cost
	}
	fmt.Fprintf(w, "%d orders processed, %v of work\n", len(done), total)
}
