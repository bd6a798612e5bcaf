package jobs

import (
	"context"
	"time"
)

// A JobInfo describes the job a worker is running (arq's ctx dict).
type JobInfo struct {
	ID       string
	Func     string
	Queue    string
	Try      int       // from 1
	Enqueued time.Time // by the producer's clock
}

type jobKey struct{}

// runningJob is what a worker puts in the ctx of a job it runs.
type runningJob struct {
	JobInfo
	enqueued string // the header, parsed by CurrentJob
}

// CurrentJob returns the job that ctx belongs to, if a worker runs it: a
// job function uses it for its id (to make its effects idempotent) or its
// try.
func CurrentJob(ctx context.Context) (JobInfo, bool) {
	rj, ok := ctx.Value(jobKey{}).(*runningJob)
	if !ok {
		return JobInfo{}, false
	}
	ji := rj.JobInfo
	ji.Enqueued, _ = time.Parse(time.RFC3339Nano, rj.enqueued)
	return ji, true
}
