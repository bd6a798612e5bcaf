package jobs

import (
	"log/slog"
	"time"

	"github.com/asyncio-go/asyncio/patterns"
)

// A WorkerOption configures NewWorker.
type WorkerOption func(*workerConfig)

type workerConfig struct {
	concurrency int
	prefetch    int
	jobTimeout  time.Duration
	maxTries    int
	keepResult  time.Duration
	backoff     patterns.Backoff
	grace       time.Duration
	ackWait     time.Duration
	replicas    int
	logger      *slog.Logger
}

func defaultWorkerConfig() workerConfig {
	return workerConfig{
		concurrency: 10,
		prefetch:    -1,
		jobTimeout:  5 * time.Minute,
		maxTries:    5,
		keepResult:  DefaultKeepResult,
		backoff:     DefaultBackoff,
		grace:       30 * time.Second,
		ackWait:     30 * time.Second,
		replicas:    1,
	}
}

// DefaultBackoff is how long a failed job waits before its next try,
// unless the worker says otherwise (Backoff): 1 s after the first
// failure, doubling up to 5 min, each pause between half and all of that
// so that jobs that failed together do not come back together.
var DefaultBackoff = patterns.Backoff{
	Initial:    time.Second,
	Max:        5 * time.Minute,
	Multiplier: 2,
	Jitter:     patterns.EqualJitter,
}

// Concurrency sets how many jobs the worker runs at once, each in a task
// of its own (10 by default; arq's max_jobs).
func Concurrency(n int) WorkerOption { return func(c *workerConfig) { c.concurrency = n } }

// PrefetchJobs sets how many jobs the worker fetches ahead of the ones
// it runs, saving a round trip to the server per job at the cost of
// jobs other workers cannot take meanwhile (as many as Concurrency by
// default).
func PrefetchJobs(n int) WorkerOption { return func(c *workerConfig) { c.prefetch = n } }

// JobTimeout bounds the time one try of a job may take: its task is
// cancelled when it runs out, and the try counts as failed (5 min by
// default; d ≤ 0: no bound).
func JobTimeout(d time.Duration) WorkerOption { return func(c *workerConfig) { c.jobTimeout = d } }

// MaxTries sets how many times a job runs before it fails for good (5 by
// default). A job whose worker died while running it counts that try too:
// one whose worker dies on every try fails for good, unrun, at the
// delivery after its last try.
func MaxTries(n int) WorkerOption { return func(c *workerConfig) { c.maxTries = n } }

// KeepResult sets how long results are kept in the queue's results bucket
// (DefaultKeepResult). It is the bucket's setting, shared by the queue's
// workers: the last one to start sets it. d = 0 keeps no results, and
// saves the worker a round trip to the server per job.
func KeepResult(d time.Duration) WorkerOption { return func(c *workerConfig) { c.keepResult = d } }

// Backoff sets the pauses before a failed job is tried again
// (DefaultBackoff).
func Backoff(b patterns.Backoff) WorkerOption { return func(c *workerConfig) { c.backoff = b } }

// ShutdownGrace sets how long Run, once its ctx has ended, lets the jobs
// in flight finish before it cancels them and hands them back to the
// server for other workers (30 s by default).
func ShutdownGrace(d time.Duration) WorkerOption { return func(c *workerConfig) { c.grace = d } }

// JobAckWait sets how long the server waits for word from a worker that
// took a job before it gives the job to another (30 s by default). A live
// worker sends that word every third of d while a job runs, so d bounds
// how long the jobs of a worker that died stay stuck, not how long a job
// may run. It is the queue's setting, shared by its workers.
func JobAckWait(d time.Duration) WorkerOption { return func(c *workerConfig) { c.ackWait = d } }

// JobReplicas sets on how many servers of a NATS cluster the queue's
// streams keep each job, and its results bucket each result (1 by
// default); see Replicas. It is the queue's setting, shared by its
// workers: the last one to start sets it.
func JobReplicas(n int) WorkerOption { return func(c *workerConfig) { c.replicas = n } }

// Logger sets where the worker logs failed jobs (slog.Default()).
func Logger(l *slog.Logger) WorkerOption { return func(c *workerConfig) { c.logger = l } }
