package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// TestResultStoredBeforeAwait awaits a job whose result reached the
// Client's watch between Enqueue and Result: a fast worker, or a busy
// loop that resumes the task late. The result must not be lost.
func TestResultStoredBeforeAwait(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		// One job at a time: results are stored in the order enqueued.
		w := jobs.NewWorker(c, name, jobs.Concurrency(1))
		jobs.Register(w, "add", func(ctx context.Context, a [2]int) (int, error) { return a[0] + a[1], nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		// The first Result starts the Client's watch of the results.
		first, err := c.Enqueue(ctx, "add", [2]int{1, 1}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if _, err := jobs.ResultOf[int](ctx, first); err != nil {
			return err
		}
		early, err := c.Enqueue(ctx, "add", [2]int{2, 2}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		// Once the result of the next job has come through the watch,
		// early's has too, before anyone awaited it.
		next, err := c.Enqueue(ctx, "add", [2]int{3, 3}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if _, err := jobs.ResultOf[int](ctx, next); err != nil {
			return err
		}
		var r int
		err = asyncio.Timeout(ctx, 5*time.Second, func(ctx context.Context) error {
			var err error
			r, err = jobs.ResultOf[int](ctx, early)
			return err
		})
		if err != nil || r != 4 {
			t.Errorf("the result of a job that ended before Result was called: %d, %v; want 4", r, err)
		}
		return nil
	})
}

// TestResultsBeyondTheKept: with room for two recent results, a batch
// of eight awaited after they all ended still gets every result: those
// dropped for room are read from the bucket.
func TestResultsBeyondTheKept(t *testing.T) {
	jobs.SetMaxRecent(t, 2)
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(1))
		jobs.Register(w, "double", func(ctx context.Context, n int) (int, error) { return 2 * n, nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		first, err := c.Enqueue(ctx, "double", 0, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if _, err := jobs.ResultOf[int](ctx, first); err != nil {
			return err
		}
		var batch []*jobs.Job
		for i := 1; i <= 8; i++ {
			j, err := c.Enqueue(ctx, "double", i, jobs.OnQueue(name))
			if err != nil {
				return err
			}
			batch = append(batch, j)
		}
		// One job at a time, in order: once the last has ended, all have.
		if _, err := jobs.ResultOf[int](ctx, batch[7]); err != nil {
			return err
		}
		for i, j := range batch {
			var r int
			err := asyncio.Timeout(ctx, 5*time.Second, func(ctx context.Context) error {
				var err error
				r, err = jobs.ResultOf[int](ctx, j)
				return err
			})
			if err != nil || r != 2*(i+1) {
				t.Errorf("job %d: %d, %v", i+1, r, err)
			}
		}
		return nil
	})
}

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
