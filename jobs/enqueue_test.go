package jobs_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go"
)

// TestEnqueueMakesStreamsOnce enqueues from many tasks at once on a
// Client that has not made the queue's streams yet: they are made once,
// not once per task.
func TestEnqueueMakesStreamsOnce(t *testing.T) {
	name := queueName(t)
	nc, err := nats.Connect(natsURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// The JetStream API requests about the queue's streams, as the
	// server sees them.
	var subs []*nats.Subscription
	for _, s := range []string{name, name + "_dead", name + "_later", name + "_later_dead"} {
		sub, err := nc.SubscribeSync("$JS.API.STREAM.*." + s)
		if err != nil {
			t.Fatal(err)
		}
		subs = append(subs, sub)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	const tasks = 200
	run(t, func(ctx context.Context, c *jobs.Client) error {
		return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for i := range tasks {
				g.Go(func(ctx context.Context) error {
					_, err := c.Enqueue(ctx, "f", i, jobs.OnQueue(name))
					return err
				})
			}
			return nil
		})
	})
	// Every request was routed before its reply reached the Client, so
	// before this flush's answer: they are all pending here by now.
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	requests := 0
	for _, sub := range subs {
		n, _, err := sub.Pending()
		if err != nil {
			t.Fatal(err)
		}
		requests += n
	}
	// One look and one creation per stream at most.
	if requests > 8 {
		t.Errorf("%d Enqueues made %d requests about the queue's streams, want at most 8", tasks, requests)
	}
}
