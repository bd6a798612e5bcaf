package main

import "errors"

// jobsConfig is the flags of the jobs mode (those of bench/peers/gojobs'
// run, and the worker's settings) and of its worker processes.
type jobsConfig struct {
	url       string
	n         int // jobs
	workers   int // worker processes
	brokerPID int // the NATS server's, for its CPU time; 0: not measured
	// The workers' settings: jobs.Concurrency, jobs.PrefetchJobs (-1: the
	// package's default) and whether they keep results (the package's
	// default KeepResult) or not (KeepResult(0)).
	concurrency, prefetch int
	keepResults           bool
	inflight              int      // Enqueues waiting for their acknowledgement at once
	many                  bool     // one jobs.EnqueueMany instead of Enqueues from inflight tasks
	workerEnv             []string // added to the worker processes' environment (tests)
	cpuprofile            string   // if set, worker i writes a CPU profile to cpuprofile.worker<i>
}

// errJobsUnavailable is why a build for another system than Linux
// (jobs_other.go) has no jobs mode.
var errJobsUnavailable = errors.New("jobs: not available: it needs Linux (/proc, getrusage)")

// The workers' settings the jobs mode uses unless told otherwise: the
// package's Concurrency, and one full pull (jobs' largest, 256 messages)
// fetched ahead, as a user with many short jobs would set it (package
// jobs' default prefetch is Concurrency, which pulls 20 messages at a
// time; nats.go's Consume, the hand-written peer's, pulls 500 ahead).
const (
	jobsDefaultConcurrency = 10
	jobsDefaultPrefetch    = 256
)

// jobsDefaultInflight is how many Enqueues the producer keeps waiting for
// their acknowledgement at once, each in a task of its own.
const jobsDefaultInflight = 500
