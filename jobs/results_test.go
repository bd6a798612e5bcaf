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
