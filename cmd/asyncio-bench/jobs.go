//go:build linux

package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
	"github.com/nats-io/nats.go/jetstream"
)

// jobsAvailable says whether this build has the jobs mode: it reads the
// CPU time of the workers and the broker from /proc, so it needs Linux.
const jobsAvailable = true

// The jobs mode is this library's side of bench/run.sh's jobs workload,
// the method of bench/peers/gojobs with package jobs in place of nats.go
// by hand: a fresh queue, W worker processes (this program again, as
// jobs-worker) each running a jobs.Worker with one no-op job function,
// and one producer that enqueues N jobs and stops the clock when the
// queue's stream is empty. It prints gojobs' JSON fields.

// jobsFunc is the name of the no-op job function.
const jobsFunc = "noop"

// jobsArgs are a job's arguments: its number, as gojobs' payload.
type jobsArgs struct {
	ID int `json:"id"`
}

// jobsWorkerProc is a started worker process and the pipe it reports on.
type jobsWorkerProc struct {
	cmd *exec.Cmd
	out *bufio.Reader
}

// jobsRun is the jobs mode: it runs cfg.n jobs through cfg.workers worker
// processes and measures them.
func jobsRun(cfg jobsConfig) (map[string]any, error) {
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
		defer cancel()
		c, err := jobs.Connect(ctx, cfg.url)
		if err != nil {
			return nil, err
		}
		defer c.Close(ctx)

		// A fresh queue per run, so that nothing of an earlier run is
		// counted. The workers make its streams.
		queue := fmt.Sprintf("jobsbench_%d_%d", os.Getpid(), time.Now().UnixNano())
		defer func() {
			if err := jobsDeleteQueue(ctx, c, queue); err != nil {
				fmt.Fprintln(os.Stderr, "asyncio-bench: deleting queue", queue+":", err)
			}
		}()
		procs, err := jobsStartWorkers(ctx, cfg, queue)
		defer func() {
			if procs != nil {
				jobsStopWorkers(procs)
			}
		}()
		if err != nil {
			return nil, err
		}
		if err := jobsAwaitPulls(ctx, c, queue, cfg.workers); err != nil {
			return nil, err
		}
		pids := make([]int, len(procs))
		for i, p := range procs {
			pids[i] = p.cmd.Process.Pid
		}

		self0, workers0, broker0 := selfCPU(), procsCPU(pids), procsCPU([]int{cfg.brokerPID})
		t0 := time.Now()
		if err := jobsProduce(ctx, c, queue, cfg.n, cfg.inflight, cfg.many); err != nil {
			return nil, err
		}
		enqueued := time.Since(t0)
		if err := jobsAwaitEmpty(ctx, c, queue); err != nil {
			return nil, err
		}
		secs := time.Since(t0).Seconds()
		self, wcpu, bcpu := selfCPU()-self0, procsCPU(pids)-workers0, procsCPU([]int{cfg.brokerPID})-broker0

		done, err := asyncio.ToThread(ctx, func() (int, error) { return jobsStopWorkers(procs) })
		procs = nil
		if err != nil {
			return nil, err
		}
		if done < cfg.n {
			return nil, fmt.Errorf("the workers ran %d jobs of %d", done, cfg.n)
		}
		out := map[string]any{
			"n": cfg.n, "workers": cfg.workers, "seconds": secs, "jobs_per_s": float64(cfg.n) / secs,
			"enqueue_s": enqueued.Seconds(), "processed": done,
			"producer_cpu_s": self.Seconds(), "workers_cpu_s": wcpu.Seconds(),
			"cpu_us_per_job": float64((self + wcpu).Microseconds()) / float64(cfg.n),
		}
		if cfg.brokerPID > 0 {
			out["broker_cpu_s"] = bcpu.Seconds()
			out["broker_cpu_us_per_job"] = float64(bcpu.Microseconds()) / float64(cfg.n)
		}
		return out, nil
	})
}

// jobsProduce enqueues n jobs on queue from inflight tasks, so that up to
// inflight Enqueues wait for their acknowledgement at once (the Client
// pipelines the publishes), or with many in one EnqueueMany, and returns
// once every job is stored.
func jobsProduce(ctx context.Context, c *jobs.Client, queue string, n, inflight int, many bool) error {
	if n == 0 {
		return nil
	}
	// The first Enqueue looks the queue's streams up, once per Client;
	// alone, so that the tasks do not all look them up at once.
	if _, err := c.Enqueue(ctx, jobsFunc, jobsArgs{ID: 0}, jobs.OnQueue(queue)); err != nil {
		return err
	}
	if many {
		args := make([]jobsArgs, n-1)
		for i := range args {
			args[i] = jobsArgs{ID: i + 1}
		}
		_, err := jobs.EnqueueMany(ctx, c, jobsFunc, args, jobs.OnQueue(queue))
		return err
	}
	next := 1 // the tasks run on the loop one at a time: no lock
	return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
		for range min(inflight, n-1) {
			g.Go(func(ctx context.Context) error {
				for next < n {
					i := next
					next++
					if _, err := c.Enqueue(ctx, jobsFunc, jobsArgs{ID: i}, jobs.OnQueue(queue)); err != nil {
						return err
					}
				}
				return nil
			})
		}
		return nil
	})
}

// jobsStream returns the JetStream stream of queue (its name is the
// queue's), looked up off the loop.
func jobsStream(ctx context.Context, c *jobs.Client, queue string) (jetstream.Stream, error) {
	return asyncio.ToThread(ctx, func() (jetstream.Stream, error) {
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return c.JetStream().Stream(rctx, queue)
	})
}

// jobsAwaitEmpty polls the queue's stream until it holds no message, as
// gojobs does: on a work-queue stream a message goes when a worker
// acknowledges it, so an empty stream after every Enqueue returned is
// every job done. The poll runs off the loop every 2 ms; it costs the
// server a little and delays the stop by at most that.
func jobsAwaitEmpty(ctx context.Context, c *jobs.Client, queue string) error {
	s, err := jobsStream(ctx, c, queue)
	if err != nil {
		return err
	}
	_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
		for {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			info, err := s.Info(rctx)
			cancel()
			if err != nil {
				return struct{}{}, err
			}
			if info.State.Msgs == 0 {
				return struct{}{}, nil
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	return err
}

// jobsAwaitPulls waits until the queue's consumer has a pull request of
// every worker waiting at the server: a worker process pulls for the
// queue from one goroutine, one pull at a time, so w waiting pulls are
// one of each of w workers, and each worker is taking jobs. It is the
// counterpart of gojobs' Flush after Consume, which package jobs has no
// hook for.
func jobsAwaitPulls(ctx context.Context, c *jobs.Client, queue string, w int) error {
	s, err := jobsStream(ctx, c, queue)
	if err != nil {
		return err
	}
	_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
		deadline := time.Now().Add(30 * time.Second)
		for {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			cons, err := s.Consumer(rctx, "jobs")
			var info *jetstream.ConsumerInfo
			if err == nil {
				info, err = cons.Info(rctx)
			}
			cancel()
			if err != nil {
				return struct{}{}, err
			}
			if info.NumWaiting >= w {
				return struct{}{}, nil
			}
			if time.Now().After(deadline) {
				return struct{}{}, fmt.Errorf("%d pulls of %d workers waiting at the server after 30 s", info.NumWaiting, w)
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	return err
}

// jobsDeleteQueue deletes the job queue's streams (the queue's and its
// delayed jobs', each with its dead letters) and its results bucket, if
// the workers made one.
func jobsDeleteQueue(ctx context.Context, c *jobs.Client, queue string) error {
	// Also after the run's time is up.
	ctx = context.WithoutCancel(ctx)
	err := jobs.DeleteQueue(ctx, c, queue)
	if err2 := jobs.DeleteQueue(ctx, c, queue+"_later"); err == nil {
		err = err2
	}
	_, err3 := asyncio.ToThread(ctx, func() (struct{}, error) {
		rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		err := c.JetStream().DeleteKeyValue(rctx, queue+"_results")
		if errors.Is(err, jetstream.ErrBucketNotFound) {
			err = nil
		}
		return struct{}{}, err
	})
	return cmpOr(err, err3)
}

// jobsStartWorkers starts cfg.workers worker processes (this program, as
// jobs-worker) and waits until each says its queue is open.
func jobsStartWorkers(ctx context.Context, cfg jobsConfig, queue string) ([]jobsWorkerProc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{"jobs-worker", "-url", cfg.url, "-queue", queue,
		"-concurrency", strconv.Itoa(cfg.concurrency), "-prefetch", strconv.Itoa(cfg.prefetch),
		"-keep-results=" + strconv.FormatBool(cfg.keepResults)}
	var procs []jobsWorkerProc
	for i := range cfg.workers {
		args := args
		if cfg.cpuprofile != "" {
			args = append(args[:len(args):len(args)], "-cpuprofile", fmt.Sprintf("%s.worker%d", cfg.cpuprofile, i+1))
		}
		cmd := exec.Command(self, args...)
		cmd.Env = append(os.Environ(), cfg.workerEnv...)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			return procs, err
		}
		if err := cmd.Start(); err != nil {
			return procs, err
		}
		procs = append(procs, jobsWorkerProc{cmd, bufio.NewReader(out)})
	}
	// The reads block: off the loop.
	_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
		for _, p := range procs {
			line, err := p.out.ReadString('\n')
			if err != nil || line != "ready\n" {
				return struct{}{}, fmt.Errorf("worker %d did not start: %q %v", p.cmd.Process.Pid, line, err)
			}
		}
		return struct{}{}, nil
	})
	return procs, err
}

// jobsStopWorkers sends SIGTERM to each worker and waits for it; each
// prints how many jobs it ran, and jobsStopWorkers returns their sum. It
// blocks; the loop has nothing else to do by then.
func jobsStopWorkers(procs []jobsWorkerProc) (int, error) {
	total := 0
	var first error
	for _, p := range procs {
		p.cmd.Process.Signal(syscall.SIGTERM)
	}
	for _, p := range procs {
		line, err := p.out.ReadString('\n')
		k, perr := strconv.Atoi(trimNL(line))
		if (err != nil || perr != nil) && first == nil {
			first = fmt.Errorf("worker %d: no count: %q %v", p.cmd.Process.Pid, line, err)
		}
		total += k
		if err := p.cmd.Wait(); err != nil && first == nil {
			first = fmt.Errorf("worker %d: %v", p.cmd.Process.Pid, err)
		}
	}
	return total, first
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func trimNL(s string) string {
	if len(s) > 0 && s[len(s)-1] == '\n' {
		return s[:len(s)-1]
	}
	return s
}

// procsCPU is the user + system CPU time of the processes, from
// /proc/PID/stat (procTicks, in ticks of 10 ms).
func procsCPU(pids []int) time.Duration {
	var ticks int64
	for _, pid := range pids {
		ticks += procTicks(pid)
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// jobsWorker is a worker process (jobs-worker): a jobs.Worker of the
// queue with the no-op job function, until SIGTERM. It prints "ready"
// once its queue is open and how many jobs it ran at the end, after the
// Client has sent the last acknowledgements.
func jobsWorker(cfg jobsConfig, queue string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		c, err := jobs.Connect(ctx, cfg.url)
		if err != nil {
			return struct{}{}, err
		}
		defer c.Close(ctx)
		opts := []jobs.WorkerOption{jobs.Concurrency(cfg.concurrency)}
		if cfg.prefetch >= 0 {
			opts = append(opts, jobs.PrefetchJobs(cfg.prefetch))
		}
		if !cfg.keepResults {
			opts = append(opts, jobs.KeepResult(0))
		}
		w := jobs.NewWorker(c, queue, opts...)
		ran := 0 // the job tasks run on the loop one at a time
		jobs.Register(w, jobsFunc, func(ctx context.Context, a jobsArgs) (struct{}, error) {
			ran++
			return struct{}{}, nil
		})
		run := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w.Run(ctx) })
		asyncio.RunningLoop(ctx).AddSignalHandler(syscall.SIGTERM, func() { run.Cancel() })
		if err := jobsAwaitConsumer(ctx, c, queue, run); err != nil {
			return struct{}{}, err
		}
		fmt.Println("ready")
		if _, err := run.Wait(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return struct{}{}, err
		}
		if err := c.Close(ctx); err != nil {
			return struct{}{}, err
		}
		fmt.Println(ran)
		return struct{}{}, nil
	}, asyncio.WithInterruptHandling(false))
	return err
}

// jobsAwaitConsumer waits until the queue's consumer exists at the server,
// which Run makes before its tasks start taking jobs, or until run ends.
func jobsAwaitConsumer(ctx context.Context, c *jobs.Client, queue string, run *asyncio.Task[struct{}]) error {
	for !run.Done() {
		_, err := asyncio.ToThread(ctx, func() (jetstream.Consumer, error) {
			rctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			return c.JetStream().Consumer(rctx, queue, "jobs")
		})
		if err == nil {
			return nil
		}
		if !errors.Is(err, jetstream.ErrStreamNotFound) && !errors.Is(err, jetstream.ErrConsumerNotFound) {
			return err
		}
		if err := asyncio.Sleep(ctx, 2*time.Millisecond); err != nil {
			return err
		}
	}
	_, err := run.Wait(ctx)
	return fmt.Errorf("the worker ended before it started: %v", err)
}
