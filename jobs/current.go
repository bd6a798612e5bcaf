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

// CurrentJob returns the job that ctx belongs to, if a worker runs it: a
// job function uses it for its id (to make its effects idempotent) or its
// try.
func CurrentJob(ctx context.Context) (JobInfo, bool) {
	ji, ok := ctx.Value(jobKey{}).(*JobInfo)
	if !ok {
		return JobInfo{}, false
	}
	return *ji, true
}
