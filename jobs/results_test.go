package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// TestResultPassedByTheWatch: the result of a job that ended while no one
// waited for it, after the Client's watch of the results began (the watch
// passed it by), is still found by a later Result.
func TestResultPassedByTheWatch(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		// One job at a time, in order: when "gated" starts, the job
		// before it has its result stored.
		w := jobs.NewWorker(c, name, jobs.Concurrency(1), jobs.PrefetchJobs(0))
		gate, started := asyncio.NewEvent(), asyncio.NewEvent()
		jobs.Register(w, "id", func(ctx context.Context, n int) (int, error) { return n, nil })
		jobs.Register(w, "gated", func(ctx context.Context, n int) (int, error) {
			started.Set()
			return n, gate.Wait(ctx)
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		first, err := c.Enqueue(ctx, "id", 1, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if _, err := jobs.ResultOf[int](ctx, first); err != nil { // the watch begins
			return err
		}
		passed, err := c.Enqueue(ctx, "id", 2, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		last, err := c.Enqueue(ctx, "gated", 3, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		waiter := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return jobs.ResultOf[int](ctx, last) })
		if err := started.Wait(ctx); err != nil {
			return err
		}
		gate.Set()
		// The watch delivers results in the order they were stored: by
		// the time it brings the last, it has passed the second by.
		if r, err := waiter.Wait(ctx); err != nil || r != 3 {
			t.Errorf("the last job: %d, %v", r, err)
		}
		r, err := asyncio.WaitFor(ctx, 5*time.Second, func(ctx context.Context) (int, error) { return jobs.ResultOf[int](ctx, passed) })
		if err != nil || r != 2 {
			t.Errorf("the job whose result the watch passed by: %d, %v", r, err)
		}
		return nil
	})
}
