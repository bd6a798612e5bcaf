package jobs

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A JobInfo describes the job a worker is running (arq's ctx dict).
type JobInfo struct {
	ID       string
	Func     string
	Queue    string
	Try      int       // from 1
	Enqueued time.Time // by the server's clock, when it stored the job
}

type jobKey struct{}

// runningJob is the ctx of a job a worker runs: the slot's ctx (or the
// job's timeout scope in it), with the job's description as the value of
// jobKey and its deadline; its line in `asyncio ps` too, through the
// slot's note. One allocation per job does all three, where
// context.WithValue and a text built for Annotate took three.
type runningJob struct {
	context.Context
	info     JobInfo // without ID and Enqueued, which are read from d when asked for
	d        *delivery
	w        *Worker
	loop     *asyncio.Loop // with deadline, if the job has a timeout
	deadline time.Duration // on loop's clock
}

func (rj *runningJob) Value(key any) any {
	if key == (jobKey{}) {
		return rj
	}
	return rj.Context.Value(key)
}

// Deadline reports the job's deadline, if it has one and it comes before
// the slot's, on the wall clock, as a timeout scope would: the worker's
// deadlines expire the job without a deadline of the scope's own. A
// loop on a virtual clock has no deadline to report.
func (rj *runningJob) Deadline() (time.Time, bool) {
	pd, ok := rj.Context.Deadline()
	if rj.loop == nil {
		return pd, ok
	}
	if _, real := rj.loop.Clock().(*asyncio.RealClock); !real {
		return pd, ok
	}
	d := time.Now().Add(rj.deadline - rj.loop.Time())
	if ok && pd.Before(d) {
		return pd, true
	}
	return d, true
}

// A slotNote is what a slot of a worker tells `asyncio ps` it is doing:
// the job it runs, if any. The slot annotates its task with it once, and
// sets the job for each, rather than annotate each job anew (an
// allocation and two turns of a lock per job).
type slotNote struct {
	job atomic.Pointer[runningJob] // read by the snapshot's goroutine
}

func (n *slotNote) String() string {
	if rj := n.job.Load(); rj != nil {
		return rj.String()
	}
	return ""
}

// String is the job's line in `asyncio ps`, made when one is asked for.
func (rj *runningJob) String() string {
	return "jobs: running " + rj.info.Func + " (job " + rj.d.jobID() + ", try " + strconv.Itoa(rj.info.Try) + " of " + rj.w.maxTriesText + ")"
}

// call runs the job function fn with the job's arguments, turning a panic
// into an error.
func (rj *runningJob) call(fn jobFunc) (out []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return fn(rj, rj.d.msg.Data)
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
	ji.ID, ji.Enqueued = rj.d.jobID(), rj.d.enqueued()
	return ji, true
}
