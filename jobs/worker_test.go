package jobs_test

import (
	"context"
	"errors"
	"strings"
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
		// The same handle again (twice), and a handle made from the id
		// alone.
		for range 2 {
			if r, err := jobs.ResultOf[int](ctx, job); err != nil || r != 5 {
				t.Errorf("the same job awaited again: %d, %v", r, err)
			}
		}
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

// TestConcurrencyLimit: a worker with Concurrency(3) runs three jobs at
// once, never a fourth, and the others as the first ones end.
func TestConcurrencyLimit(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(3))
		release := asyncio.NewQueue[struct{}](0)
		running, most, started := 0, 0, asyncio.NewCondition(nil)
		jobs.Register(w, "hold", func(ctx context.Context, i int) (int, error) {
			running++
			most = max(most, running)
			started.Acquire(ctx)
			started.NotifyAll()
			started.Release()
			defer func() { running-- }()
			if _, err := release.Get(ctx); err != nil {
				return 0, err
			}
			return i, nil
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		var all []*jobs.Job
		for i := range 8 {
			j, err := c.Enqueue(ctx, "hold", i, jobs.OnQueue(name))
			if err != nil {
				return err
			}
			all = append(all, j)
		}
		started.Acquire(ctx)
		for running < 3 {
			started.Wait(ctx)
		}
		started.Release()
		for range 8 {
			release.Put(ctx, struct{}{})
		}
		for i, j := range all {
			if r, err := jobs.ResultOf[int](ctx, j); err != nil || r != i {
				t.Errorf("job %d: %d, %v", i, r, err)
			}
		}
		if most != 3 {
			t.Errorf("at most %d jobs ran at once, want 3", most)
		}
		return nil
	})
}

// TestJobTimeout: a try that runs out of time is cancelled and counts as
// a failure; on the last try the job fails for good with the reason.
func TestJobTimeout(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.MaxTries(1), jobs.JobTimeout(50*time.Millisecond))
		var seen error
		jobs.Register(w, "stuck", func(ctx context.Context, _ struct{}) (struct{}, error) {
			seen = asyncio.NewEvent().Wait(ctx)
			return struct{}{}, seen
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		j, err := c.Enqueue(ctx, "stuck", struct{}{}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		var je *jobs.JobError
		if err := j.Result(ctx, nil); !errors.As(err, &je) || je.Message != "timed out after 50ms" {
			t.Errorf("result: %v", err)
		}
		if !errors.Is(seen, context.DeadlineExceeded) {
			t.Errorf("the job's wait ended with %v, want a deadline", seen)
		}
		return nil
	})
}

// TestJobTimeoutsApart: each try has its own deadline, JobTimeout after it
// began, which its ctx reports: a job that starts while another runs is
// cut short at its deadline, not the other's, and short jobs in between
// are not cut at all.
func TestJobTimeoutsApart(t *testing.T) {
	name := queueName(t)
	const limit = 400 * time.Millisecond
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(4), jobs.MaxTries(1), jobs.JobTimeout(limit))
		type span struct {
			ran      time.Duration
			deadline time.Duration // from the start
			err      error
		}
		spans := map[int]span{}
		jobs.Register(w, "nap", func(ctx context.Context, a [2]int) (struct{}, error) {
			start := time.Now()
			dl, _ := ctx.Deadline()
			err := asyncio.Sleep(ctx, time.Duration(a[1])*time.Millisecond)
			spans[a[0]] = span{time.Since(start), dl.Sub(start), err}
			return struct{}{}, err
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		first, err := c.Enqueue(ctx, "nap", [2]int{1, 10_000}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, limit/2); err != nil {
			return err
		}
		second, err := c.Enqueue(ctx, "nap", [2]int{2, 10_000}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		short, err := c.Enqueue(ctx, "nap", [2]int{3, 10}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		for _, j := range []*jobs.Job{first, second} {
			var je *jobs.JobError
			if err := j.Result(ctx, nil); !errors.As(err, &je) || !strings.HasPrefix(je.Message, "timed out") {
				t.Errorf("job %s: %v, want a timeout", j.ID(), err)
			}
		}
		if err := short.Result(ctx, nil); err != nil {
			t.Errorf("the short job: %v", err)
		}
		for i := 1; i <= 2; i++ {
			s := spans[i]
			if s.ran < limit || s.ran > limit+2*time.Second || !errors.Is(s.err, context.DeadlineExceeded) {
				t.Errorf("long job %d ran %v and ended with %v; want the timeout of %v", i, s.ran, s.err, limit)
			}
			if d := s.deadline - limit; d < -50*time.Millisecond || d > 50*time.Millisecond {
				t.Errorf("long job %d: its ctx reports a deadline %v after it began, want %v", i, s.deadline, limit)
			}
		}
		if s := spans[3]; s.err != nil {
			t.Errorf("the short job's nap ended with %v", s.err)
		}
		return nil
	})
}

// TestDelayedJob: a job enqueued with Delay does not run before it is due.
func TestDelayedJob(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name)
		jobs.Register(w, "now", func(ctx context.Context, _ struct{}) (time.Time, error) { return time.Now(), nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		const delay = 1500 * time.Millisecond
		asked := time.Now()
		later, err := c.Enqueue(ctx, "now", struct{}{}, jobs.OnQueue(name), jobs.Delay(delay))
		if err != nil {
			return err
		}
		soon, err := c.Enqueue(ctx, "now", struct{}{}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		ranLater, err := jobs.ResultOf[time.Time](ctx, later)
		if err != nil {
			return err
		}
		ranSoon, err := jobs.ResultOf[time.Time](ctx, soon)
		if err != nil {
			return err
		}
		if ranLater.Sub(asked) < delay {
			t.Errorf("the delayed job ran %v after it was enqueued, want at least %v", ranLater.Sub(asked), delay)
		}
		if !ranSoon.Before(ranLater) {
			t.Errorf("the job enqueued second without delay ran after the delayed one")
		}
		return nil
	})
}

// TestRetryInAndCurrentJob: a job asks for its next try with RetryIn and
// sees its id and try through CurrentJob.
func TestRetryInAndCurrentJob(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name)
		var infos []jobs.JobInfo
		jobs.Register(w, "twice", func(ctx context.Context, _ struct{}) (int, error) {
			ji, _ := jobs.CurrentJob(ctx)
			infos = append(infos, ji)
			if ji.Try == 1 {
				return 0, jobs.RetryIn(10*time.Millisecond, nil)
			}
			return ji.Try, nil
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		j, err := c.Enqueue(ctx, "twice", struct{}{}, jobs.OnQueue(name), jobs.JobID("job-7"))
		if err != nil {
			return err
		}
		if r, err := jobs.ResultOf[int](ctx, j); err != nil || r != 2 {
			t.Errorf("result %d, %v; want 2", r, err)
		}
		if len(infos) != 2 || infos[0].ID != "job-7" || infos[0].Func != "twice" || infos[0].Queue != name || infos[1].Try != 2 ||
			time.Since(infos[0].Enqueued) > time.Minute || time.Since(infos[0].Enqueued) < 0 {
			t.Errorf("the job saw %+v", infos)
		}
		if _, ok := jobs.CurrentJob(ctx); ok {
			t.Errorf("CurrentJob outside a job says there is one")
		}
		return nil
	})
}

// TestBadJobs: arguments that do not decode fail the job at once; a
// function no worker knows fails after its tries; a bad id is refused.
func TestBadJobs(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.MaxTries(2), jobs.Backoff(patterns.Backoff{Multiplier: 1}))
		calls := 0
		jobs.Register(w, "square", func(ctx context.Context, n int) (int, error) { calls++; return n * n, nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		bad, err := c.Enqueue(ctx, "square", "seven", jobs.OnQueue(name))
		if err != nil {
			return err
		}
		unknown, err := c.Enqueue(ctx, "cube", 7, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		var je *jobs.JobError
		if err := bad.Result(ctx, nil); !errors.As(err, &je) || je.Tries != 1 || !strings.Contains(je.Message, "decoding the arguments") {
			t.Errorf("bad arguments: %v", err)
		}
		if err := unknown.Result(ctx, nil); !errors.As(err, &je) || je.Tries != 2 || !strings.Contains(je.Message, `no job function "cube"`) {
			t.Errorf("unknown function: %v", err)
		}
		if calls != 0 {
			t.Errorf("square ran %d times", calls)
		}
		if _, err := c.Enqueue(ctx, "square", 1, jobs.OnQueue(name), jobs.JobID("a b")); err == nil {
			t.Errorf("a job id with a space was taken")
		}
		if _, err := c.Enqueue(ctx, "square", func() {}, jobs.OnQueue(name)); err == nil {
			t.Errorf("arguments that cannot be encoded were taken")
		}
		return nil
	})
}

// TestSameJobIDOnce: a job enqueued twice with the same JobID runs once.
func TestSameJobIDOnce(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name)
		calls := 0
		jobs.Register(w, "count", func(ctx context.Context, _ struct{}) (int, error) { calls++; return calls, nil })
		for range 3 {
			if _, err := c.Enqueue(ctx, "count", struct{}{}, jobs.OnQueue(name), jobs.JobID("only-once")); err != nil {
				return err
			}
		}
		after, err := c.Enqueue(ctx, "count", struct{}{}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		stop := startWorker(ctx, t, w)
		defer stop()
		if err := after.Result(ctx, nil); err != nil {
			return err
		}
		if calls != 2 {
			t.Errorf("count ran %d times for one id and one other job, want 2", calls)
		}
		return nil
	})
}

// TestCronOncePerTime: two workers, each with its own connection, run a
// periodic job every second; each time runs once.
func TestCronOncePerTime(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c1 *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		defer c2.Close(ctx)
		runs := map[string]int{}
		enough := asyncio.NewEvent()
		tick := func(ctx context.Context) error {
			ji, _ := jobs.CurrentJob(ctx)
			runs[ji.ID]++
			if len(runs) == 3 {
				enough.Set()
			}
			return nil
		}
		var stops []func()
		for _, c := range []*jobs.Client{c1, c2} {
			w := jobs.NewWorker(c, name)
			jobs.RegisterCron(w, "tick", jobs.Every(time.Second), tick)
			stops = append(stops, startWorker(ctx, t, w))
		}
		if err := enough.Wait(ctx); err != nil {
			return err
		}
		for _, stop := range stops {
			stop()
		}
		for id, n := range runs {
			if !strings.HasPrefix(id, "cron.tick.") || n != 1 {
				t.Errorf("job %s ran %d times", id, n)
			}
		}
		return nil
	})
}

// TestShutdownFinishesOrHandsBack: a worker told to stop lets the job in
// flight finish within its grace, and hands a job that outlasts the grace
// back to the queue, where the next worker runs it.
func TestShutdownFinishesOrHandsBack(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		started := asyncio.NewQueue[string](0)
		finish := asyncio.NewEvent()
		var cutShort error
		handler := func(ctx context.Context, kind string) (string, error) {
			ji, _ := jobs.CurrentJob(ctx)
			started.Put(ctx, kind)
			if kind == "endless" && ji.Try == 1 {
				// Runs until the worker gives up on it.
				cutShort = asyncio.NewEvent().Wait(ctx)
				return "", cutShort
			}
			if err := finish.Wait(ctx); err != nil {
				return "", err
			}
			return kind + " done", nil
		}
		w1 := jobs.NewWorker(c, name, jobs.Concurrency(2), jobs.ShutdownGrace(time.Second))
		jobs.Register(w1, "work", handler)
		task1 := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w1.Run(ctx) })
		short, err := c.Enqueue(ctx, "work", "short", jobs.OnQueue(name))
		if err != nil {
			return err
		}
		endless, err := c.Enqueue(ctx, "work", "endless", jobs.OnQueue(name))
		if err != nil {
			return err
		}
		for range 2 {
			if _, err := started.Get(ctx); err != nil {
				return err
			}
		}
		// The worker is told to stop while both jobs run: the short job
		// finishes in the grace, the endless one outlasts it.
		task1.Cancel()
		finish.Set()
		if _, err := task1.Wait(context.WithoutCancel(ctx)); err != nil {
			t.Errorf("worker: %v", err)
		}
		if !errors.Is(cutShort, context.Canceled) {
			t.Errorf("the job that outlasted the grace ended with %v, want a cancellation", cutShort)
		}
		if r, err := jobs.ResultOf[string](ctx, short); err != nil || r != "short done" {
			t.Errorf("short: %q, %v", r, err)
		}
		w2 := jobs.NewWorker(c, name)
		jobs.Register(w2, "work", handler)
		stop2 := startWorker(ctx, t, w2)
		defer stop2()
		if r, err := jobs.ResultOf[string](ctx, endless); err != nil || r != "endless done" {
			t.Errorf("endless, on the second worker: %q, %v", r, err)
		}
		return nil
	})
}

// TestSnapshotShowsJobs: asyncio ps shows a task running a job and a task
// waiting for its result.
func TestSnapshotShowsJobs(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		inJob := asyncio.NewEvent()
		release := asyncio.NewEvent()
		w := jobs.NewWorker(c, name, jobs.Concurrency(1))
		jobs.Register(w, "resize", func(ctx context.Context, _ struct{}) (struct{}, error) {
			inJob.Set()
			return struct{}{}, release.Wait(ctx)
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		j, err := c.Enqueue(ctx, "resize", struct{}{}, jobs.OnQueue(name), jobs.JobID("img-1"))
		if err != nil {
			return err
		}
		waiter := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, j.Result(ctx, nil) })
		if err := inJob.Wait(ctx); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return err
		}
		var doing []string
		for _, ti := range snap.Tasks {
			if ti.Doing != "" {
				doing = append(doing, ti.Doing)
			}
		}
		all := strings.Join(doing, "\n")
		for _, want := range []string{
			"jobs: running resize (job img-1, try 1 of 5)",
			"jobs: waiting for the result of job img-1 on " + name,
		} {
			if !strings.Contains(all, want) {
				t.Errorf("no task is doing %q; doing:\n%s", want, all)
			}
		}
		release.Set()
		_, err = waiter.Wait(ctx)
		return err
	})
}

// TestRunEndsWithClient: closing the Client under a running worker ends
// Run with ErrClosed.
func TestRunEndsWithClient(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		c2, err := jobs.Connect(ctx, natsURL(t))
		if err != nil {
			return err
		}
		w := jobs.NewWorker(c2, name)
		jobs.Register(w, "ping", func(ctx context.Context, _ struct{}) (string, error) { return "pong", nil })
		task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w.Run(ctx) })
		// The worker is running once it has run a job.
		j, err := c.Enqueue(ctx, "ping", struct{}{}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if err := j.Result(ctx, nil); err != nil {
			return err
		}
		if err := c2.Close(ctx); err != nil {
			return err
		}
		if _, err := task.Wait(ctx); !errors.Is(err, jobs.ErrClosed) {
			t.Errorf("Run after Close: %v, want ErrClosed", err)
		}
		return nil
	})
}

// TestDeleteJobQueue: DeleteQueue removes every stream of a job queue and
// its results bucket.
func TestDeleteJobQueue(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name)
		jobs.Register(w, "one", func(ctx context.Context, _ struct{}) (int, error) { return 1, nil })
		stop := startWorker(ctx, t, w)
		j, err := c.Enqueue(ctx, "one", struct{}{}, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		if err := j.Result(ctx, nil); err != nil {
			return err
		}
		stop()
		if err := jobs.DeleteQueue(ctx, c, name); err != nil {
			return err
		}
		left, err := asyncio.ToThread(ctx, func() ([]string, error) {
			var left []string
			for s := range c.JetStream().StreamNames(context.Background()).Name() {
				if strings.HasPrefix(s, name) || s == "KV_"+name+"_results" {
					left = append(left, s)
				}
			}
			return left, nil
		})
		if err != nil {
			return err
		}
		if len(left) > 0 {
			t.Errorf("streams left: %v", left)
		}
		// Deleting what is gone is no error.
		return jobs.DeleteQueue(ctx, c, name)
	})
}

// TestEnqueueMany: a batch of jobs, each with its own handle and result,
// in the order of the arguments; JobID is refused.
func TestEnqueueMany(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.Concurrency(8))
		jobs.Register(w, "square", func(ctx context.Context, n int) (int, error) { return n * n, nil })
		stop := startWorker(ctx, t, w)
		defer stop()
		args := make([]int, 5000)
		for i := range args {
			args[i] = i
		}
		all, err := jobs.EnqueueMany(ctx, c, "square", args, jobs.OnQueue(name))
		if err != nil {
			return err
		}
		ids := map[string]bool{}
		for i, j := range all {
			ids[j.ID()] = true
			if r, err := jobs.ResultOf[int](ctx, j); err != nil || r != i*i {
				t.Fatalf("job %d: %d, %v", i, r, err)
			}
		}
		if len(ids) != len(args) {
			t.Errorf("%d ids for %d jobs", len(ids), len(args))
		}
		if _, err := jobs.EnqueueMany(ctx, c, "square", args[:1], jobs.OnQueue(name), jobs.JobID("x")); err == nil {
			t.Errorf("EnqueueMany took a JobID")
		}
		if _, err := jobs.EnqueueMany(ctx, c, "square", []any{1, func() {}}, jobs.OnQueue(name)); err == nil || !strings.Contains(err.Error(), "job 2 of 2") {
			t.Errorf("arguments that cannot be encoded: %v", err)
		}
		if none, err := jobs.EnqueueMany(ctx, c, "square", []int{}, jobs.OnQueue(name)); err != nil || len(none) != 0 {
			t.Errorf("no jobs: %v, %v", none, err)
		}
		return nil
	})
}
