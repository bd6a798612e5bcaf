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

// runningJob is the ctx of a job a worker runs: the slot's ctx, with the
// job's description as the value of jobKey. It is context.WithValue in
// one allocation rather than two, per job.
type runningJob struct {
	context.Context
	info     JobInfo
	enqueued string // the header, parsed by CurrentJob
}

func (rj *runningJob) Value(key any) any {
	if key == (jobKey{}) {
		return rj
	}
	return rj.Context.Value(key)
}

// CurrentJob returns the job that ctx belongs to, if a worker runs it: a
// job function uses it for its id (to make its effects idempotent) or its
// try.
func CurrentJob(ctx context.Context) (JobInfo, bool) {
	rj, ok := ctx.Value(jobKey{}).(*runningJob)
	if !ok {
		return JobInfo{}, false
	}
	ji := rj.info
	ji.Enqueued, _ = time.Parse(time.RFC3339Nano, rj.enqueued)
	return ji, true
}
