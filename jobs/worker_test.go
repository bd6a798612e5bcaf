package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/asyncio-go/asyncio/patterns"
)

// startWorker runs w in a task until the test's body returns: the
// returned stop cancels it and waits for its graceful end.
func startWorker(ctx context.Context, t testing.TB, w *jobs.Worker) (stop func()) {
	task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w.Run(ctx) })
	return func() {
		task.Cancel()
		if _, err := task.Wait(context.WithoutCancel(ctx)); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("worker ended with %v", err)
		}
	}
}

func TestEnqueueResult(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(4))
		jobs.Register(w, "add", func(ctx context.Context, a [2]int) (int, error) { return a[0] + a[1], nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		job, err := c.Enqueue(ctx, "add", [2]int{2, 3}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		r, err := jobs.ResultOf[int](ctx, job)
		if err != nil {
			return err
		}
		if r != 5 {
			t.Errorf("add(2, 3) = %d", r)
		}
		// A handle made from the id alone, after the result is stored.
		r, err = jobs.ResultOf[int](ctx, c.Job(name, job.ID()))
		if err != nil || r != 5 {
			t.Errorf("result by id: %d, %v", r, err)
		}
		return nil
	})
}

func TestRetryThenFail(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.MaxTries(3), jobs.Backoff(patterns.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}))
		tries := map[string]int{}
		jobs.Register(w, "flaky", func(ctx context.Context, n int) (int, error) {
			tries["flaky"]++
			if tries["flaky"] < 3 {
				return 0, errors.New("not yet")
			}
			return n * 2, nil
		})
		jobs.Register(w, "broken", func(ctx context.Context, n int) (int, error) {
			tries["broken"]++
			return 0, errors.New("always")
		})
		jobs.Register(w, "hopeless", func(ctx context.Context, n int) (int, error) {
			tries["hopeless"]++
			return 0, patterns.Permanent(errors.New("no point"))
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		flaky, _ := c.Enqueue(ctx, "flaky", 21, jobs.OnQueue(name))
		broken, _ := c.Enqueue(ctx, "broken", 1, jobs.OnQueue(name))
		hopeless, err := c.Enqueue(ctx, "hopeless", 1, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if r, err := jobs.ResultOf[int](ctx, flaky); err != nil || r != 42 {
			t.Errorf("flaky: %d, %v", r, err)
		}
		var je *jobs.JobError
		if err := broken.Result(ctx, nil); !errors.As(err, &je) || je.Tries != 3 || je.Message != "always" {
			t.Errorf("broken: %v", err)
		}
		if err := hopeless.Result(ctx, nil); !errors.As(err, &je) || je.Tries != 1 {
			t.Errorf("hopeless: %v", err)
		}
		if tries["flaky"] != 3 || tries["broken"] != 3 || tries["hopeless"] != 1 {
			t.Errorf("tries: %v", tries)
		}
		return nil
	})
}
