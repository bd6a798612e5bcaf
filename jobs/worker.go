package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
)

// A Worker runs the jobs of one queue with the job functions registered
// on it (arq's Worker, Celery's worker). Any number of workers, in any
// number of processes on any number of machines, may run the same queue:
// each job goes to one of them.
type Worker struct {
	c     *Client
	queue string
	cfg   workerConfig
	funcs map[string]jobFunc
	crons []cronJob
	ran   bool

	maxTriesText string     // for the jobs' annotations
	runPrefix    string     // of the subjects of the queue's jobs
	deadlines    *deadlines // of the running jobs, with a JobTimeout
}

// A jobFunc runs a job from its arguments as JSON and gives its result as
// JSON.
type jobFunc func(ctx context.Context, args []byte) ([]byte, error)

// NewWorker returns a worker of the named queue (DefaultQueue if empty).
// Register its job functions, then call Run.
func NewWorker(c *Client, queue string, opts ...WorkerOption) *Worker {
	if queue == "" {
		queue = DefaultQueue
	}
	cfg := defaultWorkerConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	if cfg.prefetch < 0 {
		cfg.prefetch = cfg.concurrency
	}
	return &Worker{c: c, queue: queue, cfg: cfg, funcs: map[string]jobFunc{}, maxTriesText: strconv.Itoa(cfg.maxTries),
		runPrefix: runSubject(queue, "")}
}

// Register makes fn the job function called name on w: a job enqueued as
// name runs fn with its arguments decoded from JSON into an A, and its
// result is R encoded as JSON. Arguments that do not decode fail the job
// for good. A name is letters, digits, - and _, in words joined by dots
// (a token or more of a NATS subject, which it ends). Register panics if
// name is not one, is taken, or w is running.
func Register[A, R any](w *Worker, name string, fn func(ctx context.Context, args A) (R, error)) {
	w.register(name, func(ctx context.Context, data []byte) ([]byte, error) {
		var args A
		if err := json.Unmarshal(data, &args); err != nil {
			return nil, patterns.Permanent(fmt.Errorf("decoding the arguments: %w", err))
		}
		r, err := fn(ctx, args)
		if err != nil || w.cfg.keepResult <= 0 {
			return nil, err // a worker that keeps no results stores none
		}
		return json.Marshal(r)
	})
}

func (w *Worker) register(name string, fn jobFunc) {
	if w.ran {
		panic("jobs: Register on a worker that is running")
	}
	if !validFunc.MatchString(name) {
		panic("jobs: job function name " + strconv.Quote(name) + ": use letters, digits, - and _, in words joined by dots")
	}
	if _, ok := w.funcs[name]; ok {
		panic("jobs: job function " + name + " registered twice")
	}
	w.funcs[name] = fn
}

// RetryIn returns an error that makes the worker try the job again after
// d, instead of after the worker's backoff (arq's Retry(defer=d)); the
// try counts like any other. err says why, and may be nil.
func RetryIn(d time.Duration, err error) error {
	if err == nil {
		err = errors.New("retry requested")
	}
	return &retryIn{d: d, err: err}
}

type retryIn struct {
	d   time.Duration
	err error
}

func (e *retryIn) Error() string { return fmt.Sprintf("%v (retry in %v)", e.err, e.d) }
func (e *retryIn) Unwrap() error { return e.err }

// Run runs jobs until ctx ends, then shuts the worker down gracefully: it
// stops taking jobs, hands the ones it fetched but had not started back to
// the server, and lets the jobs in flight finish within ShutdownGrace;
// those still running then are cancelled and handed back, to run again
// elsewhere. It returns nil after a shutdown for ctx, ErrClosed if the
// Client was closed under it, or the error that kept the worker from
// starting.
//
// Each job runs in a task of its own, with the job's try bounded by
// JobTimeout. A job that returns nil succeeds: its result is stored (see
// KeepResult) and the job leaves the queue. A job that returns an error
// (or panics, or runs out of time) is tried again after the Backoff pause,
// up to MaxTries; an error wrapped with patterns.Permanent fails it at
// once. A job that fails for good stores a failure, which its Result
// returns as a *JobError, and goes to the queue's dead letters.
func (w *Worker) Run(ctx context.Context) error {
	if w.ran {
		return errors.New("jobs: Run called twice on a worker")
	}
	w.ran = true
	if w.cfg.concurrency < 1 || w.cfg.maxTries < 1 {
		return errors.New("jobs: Concurrency and MaxTries must be at least 1")
	}
	// One delivery more than tries: a job whose worker died on its last
	// try comes back once more, to fail for good with a result that says
	// so, rather than be dead-lettered by the queue with none.
	q, err := OpenQueue[[]byte](ctx, w.c, w.queue,
		AckWait(w.cfg.ackWait), MaxAttempts(w.cfg.maxTries+1), Prefetch(w.cfg.prefetch), Replicas(w.cfg.replicas), WithCodec(rawCodec{}))
	if err != nil {
		return err
	}
	later, err := OpenQueue[[]byte](ctx, w.c, laterQueue(w.queue),
		MaxAttempts(1<<30), Replicas(w.cfg.replicas), WithCodec(rawCodec{}))
	if err != nil {
		q.Shutdown(ctx, false)
		return err
	}
	if w.cfg.keepResult > 0 {
		_, err := call(ctx, w.c, func(rctx context.Context) (struct{}, error) {
			_, err := resultsKV(rctx, w.c.js, w.queue, w.cfg.keepResult, w.cfg.replicas, true)
			return struct{}{}, err
		})
		if err != nil {
			q.Shutdown(ctx, false)
			later.Shutdown(ctx, false)
			return fmt.Errorf("jobs: making the results bucket of %s: %w", w.queue, err)
		}
	}
	w.c.jobStreams.Store(w.queue, struct{}{})
	if w.cfg.jobTimeout > 0 {
		w.deadlines = &deadlines{loop: asyncio.RunningLoop(ctx), limit: w.cfg.jobTimeout}
		defer w.deadlines.stop()
	}

	// The worker's tasks do not end with ctx: its end starts the
	// shutdown, which lets them finish.
	return asyncio.WithTaskGroup(context.WithoutCancel(ctx), func(gctx context.Context, g *asyncio.TaskGroup) error {
		running := w.cfg.concurrency
		idle := asyncio.NewEvent()
		for range w.cfg.concurrency {
			g.Go(func(ctx context.Context) error {
				defer func() {
					if running--; running == 0 {
						idle.Set()
					}
				}()
				w.slot(ctx, q)
				return nil
			}, asyncio.Name("jobs worker "+w.queue))
		}
		stop := asyncio.NewEvent() // ends the schedules
		g.Go(func(ctx context.Context) error { w.promote(ctx, later); return nil },
			asyncio.Name("jobs delayed "+w.queue))
		for _, cj := range w.crons {
			g.Go(func(ctx context.Context) error { w.schedule(ctx, cj, stop); return nil },
				asyncio.Name("jobs cron "+cj.name))
		}

		// Until ctx ends, or every slot has ended on its own (the Client
		// was closed).
		_ = idle.Wait(ctx)
		stop.Set()
		q.Shutdown(gctx, false)
		later.Shutdown(gctx, false)
		if err := asyncio.Timeout(gctx, w.cfg.grace, idle.Wait); err != nil {
			q.Shutdown(gctx, true)
			g.Cancel()
		}
		if ctx.Err() == nil {
			return ErrClosed // the slots ended because the Client closed
		}
		return nil
	})
}
