package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/faultproxy"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/asyncio-go/asyncio/patterns"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The fault tests: workers killed, the server restarted, a worker cut off
// from the server, jobs that always fail or kill their worker, and a
// hundred thousand jobs. Delivery is at least once, so each test states
// which jobs may run twice, and checks that no other does, that every job
// ends, and that every result is right.

// enqueueSquares enqueues the jobs square(i) for i in [0, n) on queue,
// with ids prefix+i, from tasks at once, and returns their handles.
func enqueueSquares(ctx context.Context, c *jobs.Client, queue, prefix string, n, tasks int) ([]*jobs.Job, error) {
	handles := make([]*jobs.Job, n)
	err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for k := range tasks {
			g.Go(func(ctx context.Context) error {
				for i := k; i < n; i += tasks {
					j, err := c.Enqueue(ctx, "square", i, jobs.OnQueue(queue), jobs.JobID(fmt.Sprint(prefix, i)))
					if err != nil {
						return err
					}
					handles[i] = j
				}
				return nil
			})
		}
		return nil
	})
	return handles, err
}

// awaitSquares waits for the results of the jobs square(i) from tasks at
// once and checks each; it returns how many were wrong.
func awaitSquares(ctx context.Context, t *testing.T, handles []*jobs.Job, tasks int) (wrong int, err error) {
	err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for k := range tasks {
			g.Go(func(ctx context.Context) error {
				for i := k; i < len(handles); i += tasks {
					r, err := jobs.ResultOf[int](ctx, handles[i])
					if err != nil {
						return fmt.Errorf("job %s: %w", handles[i].ID(), err)
					}
					if r != square(i) {
						wrong++
						if wrong <= 10 {
							t.Errorf("job %s: result %d, want %d", handles[i].ID(), r, square(i))
						}
					}
				}
				return nil
			})
		}
		return nil
	})
	return wrong, err
}

// squareRuns counts the runs of the square jobs told by the worker
// processes: runs[p][i] is how many times process p began square(i).
func squareRuns(n int, procs ...*workerProc) [][]int {
	runs := make([][]int, len(procs))
	for p, wp := range procs {
		runs[p] = make([]int, n)
		for key, k := range wp.starts {
			if i, ok := squareArg(key); ok && i >= 0 && i < n {
				runs[p][i] += k
			}
		}
	}
	return runs
}

// TestKillWorkerMidJob: of two worker processes, one is killed with
// SIGKILL while it runs jobs. Every job ends with the right result; the
// jobs the killed worker had begun and not finished run again on the
// other; no job runs twice on one worker, and a job runs on both only if
// the killed one began it (at least once allows a job whose function
// returned but whose acknowledgement the kill cut off to run again).
func TestKillWorkerMidJob(t *testing.T) {
	name := queueName(t)
	const n = 200
	u := natsURL(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		s := workerSettings{URL: u, Queue: name, Concurrency: 8, AckWait: 2 * time.Second, MaxTries: 5, Work: 30 * time.Millisecond}
		// The victim is killed once it has finished some jobs and is
		// running others.
		ready := asyncio.NewEvent()
		victim, err := startWorkerProc(ctx, "victim", s, func(wp *workerProc) {
			if len(wp.dones) >= 16 && len(wp.inFlight()) >= 4 {
				ready.Set()
			}
		})
		if err != nil {
			return err
		}
		survivor, err := startWorkerProc(ctx, "survivor", s, nil)
		defer killAll(ctx, victim, survivor)
		if err != nil {
			return err
		}
		handles, err := enqueueSquares(ctx, c, name, "k", n, 4)
		if err != nil {
			return err
		}
		if err := asyncio.Timeout(ctx, 30*time.Second, ready.Wait); err != nil {
			return fmt.Errorf("waiting for the victim to be at work: %w", err)
		}
		code, err := victim.kill(ctx)
		if err != nil {
			return err
		}
		if code != -9 {
			t.Errorf("the victim ended with %d, want -9 (SIGKILL)", code)
		}
		cut := victim.inFlight()
		slices.Sort(cut)
		if len(cut) == 0 {
			t.Error("the victim had no job in flight when it was killed")
		}

		wrong, err := asyncio.WaitFor(ctx, time.Minute, func(ctx context.Context) (int, error) {
			return awaitSquares(ctx, t, handles, 16)
		})
		if err != nil {
			return fmt.Errorf("waiting for the results (%d wrong so far): %w", wrong, err)
		}
		survivor.stop(ctx, t)

		runs := squareRuns(n, victim, survivor)
		var twice []int
		for i := range n {
			v, s := runs[0][i], runs[1][i]
			switch {
			case v > 1 || s > 1:
				t.Errorf("square(%d) ran %d times on the victim, %d on the survivor", i, v, s)
			case v+s == 0:
				t.Errorf("square(%d) never ran, yet has a result", i)
			case v == 1 && s == 1:
				twice = append(twice, i)
			}
		}
		for _, i := range cut {
			if runs[1][i] != 1 {
				t.Errorf("square(%d), cut short by the kill, ran %d times on the survivor, want 1", i, runs[1][i])
			}
		}
		// twice ⊇ cut (checked above) and ⊆ what the victim began
		// (v == 1); the extra ones are jobs whose acknowledgement the
		// kill cut off.
		t.Logf("the victim began %d jobs, %d were cut short: %v; %d ran on both workers",
			len(victim.starts), len(cut), cut, len(twice))
		return nil
	})
}

// TestHundredThousandJobs runs 100,000 jobs through 4 worker processes:
// the producer awaits every result, each is right, their sum is the
// checksum, and each job ran exactly once (nothing failed, so nothing
// may run twice). With -short it runs 10,000. The full run takes about
// 20 s, or 70 s under -race, on a loaded machine with two cores.
func TestHundredThousandJobs(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	name := queueName(t)
	u := natsURL(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		s := workerSettings{URL: u, Queue: name, Concurrency: 64, AckWait: 30 * time.Second, MaxTries: 5}
		procs := make([]*workerProc, 4)
		defer killAll(ctx, procs...)
		for k := range procs {
			wp, err := startWorkerProc(ctx, fmt.Sprint("worker", k), s, nil)
			if err != nil {
				return err
			}
			procs[k] = wp
		}
		start := time.Now()
		handles, err := enqueueSquares(ctx, c, name, "h", n, 64)
		if err != nil {
			return err
		}
		enqueued := time.Since(start)
		sums := make([]int, 256)
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for k := range sums {
				g.Go(func(ctx context.Context) error {
					for i := k; i < n; i += len(sums) {
						r, err := jobs.ResultOf[int](ctx, handles[i])
						if err != nil {
							return fmt.Errorf("job %s: %w", handles[i].ID(), err)
						}
						if r != square(i) {
							t.Errorf("job %s: result %d, want %d", handles[i].ID(), r, square(i))
						}
						sums[k] += r
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		t.Logf("%d jobs: enqueued in %v, all results in %v", n, enqueued, time.Since(start))
		var sum, want int
		for _, s := range sums {
			sum += s
		}
		for i := range n {
			want += square(i)
		}
		if sum != want {
			t.Errorf("checksum %d, want %d", sum, want)
		}
		for _, wp := range procs {
			wp.stop(ctx, t)
		}
		runs := squareRuns(n, procs...)
		bad := 0
		for i := range n {
			total := 0
			for p := range procs {
				total += runs[p][i]
			}
			if total != 1 {
				if bad++; bad <= 10 {
					t.Errorf("square(%d) ran %d times", i, total)
				}
			}
		}
		for p, wp := range procs {
			t.Logf("worker %d ran %d jobs", p, len(wp.starts))
		}
		return nil
	})
}

// deadLetters reads every message of the dead-letter stream of queue,
// off the loop.
func deadLetters(ctx context.Context, c *jobs.Client, queue string) ([]*jetstream.RawStreamMsg, error) {
	return asyncio.ToThread(ctx, func() ([]*jetstream.RawStreamMsg, error) {
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s, err := c.JetStream().Stream(rctx, queue+"_dead")
		if err != nil {
			return nil, err
		}
		info, err := s.Info(rctx)
		if err != nil {
			return nil, err
		}
		var out []*jetstream.RawStreamMsg
		for seq := info.State.FirstSeq; seq <= info.State.LastSeq && info.State.Msgs > 0; seq++ {
			m, err := s.GetMsg(rctx, seq)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	})
}

// TestPoisonJob: a job that panics on every try fails for good after
// MaxTries tries: its Result is a *JobError with Tries = MaxTries, and it
// is the one dead letter, with the reason and the attempts. The other jobs
// of the queue run once each, with their results.
func TestPoisonJob(t *testing.T) {
	name := queueName(t)
	const maxTries, n = 3, 20
	run(t, func(ctx context.Context, c *jobs.Client) error {
		w := jobs.NewWorker(c, name, jobs.MaxTries(maxTries), jobs.Concurrency(4),
			jobs.Backoff(patterns.Backoff{Initial: time.Millisecond, Max: time.Millisecond, Multiplier: 1}),
			jobs.Logger(slog.New(slog.DiscardHandler)))
		poisonRuns := 0
		runs := make([]int, n)
		jobs.Register(w, "poison", func(ctx context.Context, _ int) (int, error) {
			poisonRuns++
			panic("poisoned")
		})
		jobs.Register(w, "square", func(ctx context.Context, i int) (int, error) {
			runs[i]++
			return square(i), nil
		})
		stop := startWorker(ctx, t, w)
		defer stop()
		poison, err := c.Enqueue(ctx, "poison", 0, jobs.OnQueue(name), jobs.JobID("poison"))
		if err != nil {
			return err
		}
		handles, err := enqueueSquares(ctx, c, name, "p", n, 1)
		if err != nil {
			return err
		}
		if _, err := asyncio.WaitFor(ctx, 30*time.Second, func(ctx context.Context) (int, error) {
			return awaitSquares(ctx, t, handles, 4)
		}); err != nil {
			return err
		}
		var je *jobs.JobError
		err = asyncio.Timeout(ctx, 30*time.Second, func(ctx context.Context) error { return poison.Result(ctx, nil) })
		if !errors.As(err, &je) {
			return fmt.Errorf("the poison job's result: %v, want a *jobs.JobError", err)
		}
		if je.ID != "poison" || je.Func != "poison" || je.Tries != maxTries || je.Message != "panic: poisoned" {
			t.Errorf("the poison job's error: %+v", *je)
		}
		if poisonRuns != maxTries {
			t.Errorf("the poison job ran %d times, want %d", poisonRuns, maxTries)
		}
		for i, r := range runs {
			if r != 1 {
				t.Errorf("square(%d) ran %d times", i, r)
			}
		}
		// The dead letter is stored before the job's message is
		// acknowledged, and the result before both.
		dead, err := deadLetters(ctx, c, name)
		if err != nil {
			return err
		}
		if len(dead) != 1 {
			return fmt.Errorf("%d dead letters, want 1", len(dead))
		}
		h := dead[0].Header
		if h.Get("Jobs-Id") != "poison" || h.Get("Jobs-Reason") != "panic: poisoned" || h.Get("Jobs-Attempts") != fmt.Sprint(maxTries) {
			t.Errorf("dead letter headers %v", h)
		}
		return nil
	})
}

// TestJobKillsItsWorker: a job whose worker process dies (SIGKILL) on
// every try runs MaxTries times, one process each, and then fails for
// good without running again: its Result is a *JobError with Tries =
// MaxTries, and it is in the dead letters, delivered MaxTries+1 times
// (the last delivery found it out of tries).
func TestJobKillsItsWorker(t *testing.T) {
	name := queueName(t)
	const maxTries = 3
	u := natsURL(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		s := workerSettings{URL: u, Queue: name, Concurrency: 1, AckWait: time.Second, MaxTries: maxTries}
		job, err := c.Enqueue(ctx, "die", 0, jobs.OnQueue(name), jobs.JobID("suicide"))
		if err != nil {
			return err
		}
		result := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, job.Result(ctx, nil)
		})
		defer func() {
			result.Cancel()
			result.Wait(context.WithoutCancel(ctx))
		}()
		// One process after another, each until the job kills it.
		var procs []*workerProc
		defer func() { killAll(ctx, procs...) }()
		for try := 1; try <= maxTries; try++ {
			wp, err := startWorkerProc(ctx, fmt.Sprint("try", try), s, nil)
			if err != nil {
				return err
			}
			procs = append(procs, wp)
			code, err := asyncio.WaitFor(ctx, 30*time.Second, wp.wait)
			if err != nil {
				return fmt.Errorf("waiting for the worker of try %d to die: %w", try, err)
			}
			if code != -9 || wp.starts["die 0"] != 1 {
				t.Errorf("try %d: the worker ended with %d having begun the job %d times; want -9, once", try, code, wp.starts["die 0"])
			}
		}
		// The last process finds the job out of tries.
		last, err := startWorkerProc(ctx, "last", s, nil)
		if err != nil {
			return err
		}
		procs = append(procs, last)
		_, err = asyncio.WaitFor(ctx, 30*time.Second, result.Wait)
		var je *jobs.JobError
		if !errors.As(err, &je) {
			return fmt.Errorf("the job's result: %v, want a *jobs.JobError", err)
		}
		if je.Tries != maxTries {
			t.Errorf("the job's error: %+v, want %d tries", *je, maxTries)
		}
		last.stop(ctx, t)
		if last.starts["die 0"] != 0 {
			t.Errorf("the job ran on the last worker")
		}
		dead, err := deadLetters(ctx, c, name)
		if err != nil {
			return err
		}
		if len(dead) != 1 {
			return fmt.Errorf("%d dead letters, want 1", len(dead))
		}
		if h := dead[0].Header; h.Get("Jobs-Id") != "suicide" || h.Get("Jobs-Reason") != je.Message || h.Get("Jobs-Attempts") != fmt.Sprint(maxTries+1) {
			t.Errorf("dead letter headers %v (the job's error: %q)", h, je.Message)
		}
		return nil
	})
}

// enqueueRetrying enqueues square(i) as job prefix+i, trying again with
// the same id (so that it is stored once) until the server takes it.
// It returns the handle and how many tries failed.
func enqueueRetrying(ctx context.Context, c *jobs.Client, queue, prefix string, i int) (*jobs.Job, int, error) {
	for failed := 0; ; failed++ {
		j, err := asyncio.WaitFor(ctx, 2*time.Second, func(ctx context.Context) (*jobs.Job, error) {
			return c.Enqueue(ctx, "square", i, jobs.OnQueue(queue), jobs.JobID(fmt.Sprint(prefix, i)))
		})
		if err == nil {
			return j, failed, nil
		}
		if ctx.Err() != nil {
			return nil, failed, err
		}
		// A pause between tries, as any producer would make.
		if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
			return nil, failed, err
		}
	}
}

// TestServerRestart stops the NATS server (SIGTERM) in the middle of a
// run, with jobs running, results on their way and jobs being enqueued,
// and starts it again on the same port and store. The producer enqueues
// the second half of the jobs from the moment the server goes down,
// trying each again with its id until the server takes it. Every job ends
// with the right result. A job may run twice only if its first run began
// before the server was back (its acknowledgement, or its result, may
// have been lost with the connection); none runs more than twice, and a
// job first run after the restart runs once.
func TestServerRestart(t *testing.T) {
	const n, queue = 400, "restart"
	srv, err := newNATSServer(t)
	if err != nil {
		t.Fatal(err)
	}
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if err := srv.start(ctx); err != nil {
			return struct{}{}, err
		}
		defer srv.kill(ctx)
		opts := jobs.NATSOptions(nats.MaxReconnects(-1), nats.ReconnectWait(50*time.Millisecond))
		cw, err := jobs.Connect(ctx, srv.URL(), opts) // the worker's
		if err != nil {
			return struct{}{}, err
		}
		defer cw.Close(ctx)
		cp, err := jobs.Connect(ctx, srv.URL(), opts) // the producer's
		if err != nil {
			return struct{}{}, err
		}
		defer cp.Close(ctx)

		// phase: 0 before the stop, 1 until the server is back, 2 after.
		phase := 0
		runs, firstPhase := make([]int, n), make([]int, n)
		w := jobs.NewWorker(cw, queue, jobs.Concurrency(8), jobs.JobAckWait(5*time.Second),
			jobs.Logger(slog.New(slog.DiscardHandler)))
		jobs.Register(w, "square", func(ctx context.Context, i int) (int, error) {
			if runs[i]++; runs[i] == 1 {
				firstPhase[i] = phase
			}
			if err := asyncio.Sleep(ctx, 5*time.Millisecond); err != nil {
				return 0, err
			}
			return square(i), nil
		})
		stopWorker := startWorker(ctx, t, w)
		defer stopWorker()

		handles := make([]*jobs.Job, n)
		stopping := asyncio.NewEvent()  // the server is going down
		restartAt := asyncio.NewEvent() // enough results are in
		results, failedEnqueues := 0, 0
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			const tasks = 4
			for k := range tasks {
				g.Go(func(ctx context.Context) error {
					for i := k; i < n; i += tasks {
						if i >= n/2 && !stopping.IsSet() {
							if err := stopping.Wait(ctx); err != nil {
								return err
							}
						}
						j, failed, err := enqueueRetrying(ctx, cp, queue, "r", i)
						failedEnqueues += failed
						if err != nil {
							return fmt.Errorf("enqueueing square(%d): %w", i, err)
						}
						handles[i] = j
						g.Go(func(ctx context.Context) error {
							r, err := awaitRetrying(ctx, j)
							if err != nil {
								return fmt.Errorf("job %s (ran %d times): %w", j.ID(), runs[i], err)
							}
							if r != square(i) {
								t.Errorf("job %s: result %d, want %d", j.ID(), r, square(i))
							}
							if results++; results == n/4 {
								restartAt.Set()
							}
							return nil
						})
					}
					return nil
				})
			}
			g.Go(func(ctx context.Context) error {
				if err := restartAt.Wait(ctx); err != nil {
					return err
				}
				phase = 1
				stopping.Set()
				if err := srv.stop(ctx); err != nil {
					return err
				}
				t.Logf("the server stopped with %d of %d results in", results, n)
				if err := srv.start(ctx); err != nil {
					return err
				}
				phase = 2
				return nil
			})
			return nil
		})
		if err != nil {
			return struct{}{}, err
		}

		var twice []int
		for i := range n {
			switch {
			case runs[i] == 0:
				t.Errorf("square(%d) never ran, yet has a result", i)
			case runs[i] > 2:
				t.Errorf("square(%d) ran %d times", i, runs[i])
			case runs[i] == 2 && firstPhase[i] == 2:
				t.Errorf("square(%d), first run after the restart, ran twice", i)
			case runs[i] == 2:
				twice = append(twice, i)
			}
		}
		t.Logf("%d enqueues failed and were tried again; %d jobs ran twice: %v", failedEnqueues, len(twice), twice)
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// awaitRetrying waits for the result of square job j for up to a minute,
// asking again after an error that is not the job's (the server went
// away while Result looked the result up).
func awaitRetrying(ctx context.Context, j *jobs.Job) (int, error) {
	return asyncio.WaitFor(ctx, time.Minute, func(ctx context.Context) (int, error) {
		for {
			r, err := jobs.ResultOf[int](ctx, j)
			var je *jobs.JobError
			if err == nil || errors.As(err, &je) || ctx.Err() != nil {
				return r, err
			}
			if err := asyncio.Sleep(ctx, 20*time.Millisecond); err != nil {
				return 0, err
			}
		}
	})
}

// TestPartitionedWorker cuts a worker off from the server (a partition:
// its connection stays open and carries nothing) while it runs jobs, for
// longer than the ack deadline and until another worker, which talks to
// the server directly, has run every job the cut-off one was running:
// the server gives them to it once their ack deadline passes. Then the
// partition heals and every job ends with the right result. Each worker
// runs a job at most once; a job runs on both only if the cut-off worker
// held it when the partition began (running it, or fetched ahead), and
// the jobs it was running finish there once healed.
func TestPartitionedWorker(t *testing.T) {
	name := queueName(t)
	const n, ackWait = 200, 2 * time.Second
	target := strings.TrimPrefix(natsURL(t), "nats://")
	proxy, err := faultproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	defer proxy.Close()
	run(t, func(ctx context.Context, c *jobs.Client) error {
		cp, err := jobs.Connect(ctx, "nats://"+proxy.Addr())
		if err != nil {
			return err
		}
		defer cp.Close(ctx)
		opts := []jobs.WorkerOption{jobs.Concurrency(4), jobs.JobAckWait(ackWait), jobs.Logger(slog.New(slog.DiscardHandler))}
		wp, wd := jobs.NewWorker(cp, name, opts...), jobs.NewWorker(c, name, opts...)

		runsP, runsD, doneP := make([]int, n), make([]int, n), make([]int, n)
		var cut []int // the jobs the cut-off worker was running
		partitioned, redelivered := asyncio.NewEvent(), asyncio.NewEvent()
		var partitionedAt time.Time
		inFlightP := func() []int {
			var out []int
			for i := range n {
				if runsP[i] > doneP[i] {
					out = append(out, i)
				}
			}
			return out
		}
		cutRunOnD := func() bool {
			for _, i := range cut {
				if runsD[i] == 0 {
					return false
				}
			}
			return true
		}
		jobs.Register(wp, "square", func(ctx context.Context, i int) (int, error) {
			runsP[i]++
			// The partition begins once this worker has finished some
			// jobs and runs others.
			if !partitioned.IsSet() && sum(doneP) >= 8 && len(inFlightP()) >= 2 {
				proxy.Partition()
				partitionedAt = time.Now()
				cut = inFlightP()
				partitioned.Set()
			}
			if err := asyncio.Sleep(ctx, 30*time.Millisecond); err != nil {
				return 0, err
			}
			doneP[i]++
			return square(i), nil
		})
		jobs.Register(wd, "square", func(ctx context.Context, i int) (int, error) {
			runsD[i]++
			if partitioned.IsSet() && cutRunOnD() {
				redelivered.Set()
			}
			if err := asyncio.Sleep(ctx, 30*time.Millisecond); err != nil {
				return 0, err
			}
			return square(i), nil
		})
		stopP := startWorker(ctx, t, wp)
		defer stopP()
		handles, err := enqueueSquares(ctx, c, name, "q", n, 4)
		if err != nil {
			return err
		}
		// The direct worker starts once the other is at work.
		if err := asyncio.Timeout(ctx, 30*time.Second, partitioned.Wait); err != nil {
			return fmt.Errorf("waiting for the worker to be at work: %w", err)
		}
		stopD := startWorker(ctx, t, wd)
		defer stopD()
		if err := asyncio.Timeout(ctx, 30*time.Second, redelivered.Wait); err != nil {
			proxy.Heal()
			return fmt.Errorf("waiting for the jobs %v of the cut-off worker to run on the other: %w", cut, err)
		}
		// The redelivery comes an ack deadline after the worker's last
		// word, which was up to a third of it before the partition; the
		// partition is made to last half as long again. This is the
		// fault's length, not a wait for something to happen: nothing
		// after depends on it.
		if err := asyncio.Sleep(ctx, time.Until(partitionedAt.Add(ackWait*3/2))); err != nil {
			return err
		}
		held := time.Since(partitionedAt)
		proxy.Heal()
		if _, err := asyncio.WaitFor(ctx, time.Minute, func(ctx context.Context) (int, error) {
			return awaitSquares(ctx, t, handles, 16)
		}); err != nil {
			return err
		}
		stopD()
		stopP()

		var twice []int
		for i := range n {
			switch p, d := runsP[i], runsD[i]; {
			case p > 1 || d > 1:
				t.Errorf("square(%d) ran %d times on the cut-off worker, %d on the other", i, p, d)
			case p+d == 0:
				t.Errorf("square(%d) never ran, yet has a result", i)
			case p == 1 && d == 1:
				twice = append(twice, i)
			}
		}
		for _, i := range cut {
			if doneP[i] != 1 {
				t.Errorf("square(%d), cut off, did not finish on the cut-off worker once healed", i)
			}
		}
		t.Logf("partitioned for %v (ack deadline %v); cut off: %v; ran on both: %v", held.Round(time.Millisecond), ackWait, cut, twice)
		return nil
	})
}

func sum(xs []int) int {
	s := 0
	for _, x := range xs {
		s += x
	}
	return s
}
