package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Job is the handle of an enqueued job: its result can be awaited from
// any process that knows its queue and id (Client.Job).
type Job struct {
	c        *Client
	queue    string
	id       string    // chosen by the caller, or a delayed job's; "" for seq
	seq      uint64    // the job's number in the queue's stream, if id is ""
	enqueued time.Time // by this Client; zero for a handle made by Client.Job
}

// Job returns the handle of the job with id on queue, enqueued by this
// process or another.
func (c *Client) Job(queue, id string) *Job { return &Job{c: c, queue: queue, id: id} }

// ID returns the job's id: the one given with JobID, or else the job's
// number in its queue (its sequence number in the queue's stream), which
// is made of digits only.
func (j *Job) ID() string {
	if j.id == "" {
		return strconv.FormatUint(j.seq, 10)
	}
	return j.id
}

// Queue returns the name of the job's queue.
func (j *Job) Queue() string { return j.queue }

// Result waits until the job has ended and decodes its result into into
// (a pointer, or nil to ignore the result). A job that failed for good
// gives a *JobError. Results are kept for the workers' KeepResult (1 h by
// default): waiting for a job whose result is gone, or that never ran,
// lasts until ctx ends. The wait outlasts the server going away and
// coming back (the Client reconnects).
func (j *Job) Result(ctx context.Context, into any) error {
	done := asyncio.Annotate(ctx, "jobs: waiting for the result of job "+j.ID()+" on "+j.queue)
	defer done()
	rec, err := j.c.awaitResult(ctx, j)
	if err != nil {
		return err
	}
	if !rec.OK {
		return &JobError{ID: j.ID(), Func: rec.Func, Tries: rec.Tries, Message: rec.Error}
	}
	if into == nil {
		return nil
	}
	if err := json.Unmarshal(rec.Result, into); err != nil {
		return fmt.Errorf("jobs: decoding the result of job %s (%s): %w", j.ID(), rec.Func, err)
	}
	return nil
}

// ResultOf waits for the result of j and returns it as an R.
func ResultOf[R any](ctx context.Context, j *Job) (R, error) {
	var r R
	err := j.Result(ctx, &r)
	return r, err
}

// A JobError is the result of a job that failed for good: it returned a
// permanent error, or failed on its last try, or ran out of time on it.
type JobError struct {
	ID      string
	Func    string
	Tries   int    // how many times it ran
	Message string // the error of its last try
}

// Error describes the failure.
func (e *JobError) Error() string {
	return fmt.Sprintf("jobs: job %s (%s) failed after %d tries: %s", e.ID, e.Func, e.Tries, e.Message)
}

// A record is what a worker stores in the queue's results bucket when a
// job ends, under the job's id.
type record struct {
	Func     string          `json:"func"`
	OK       bool            `json:"ok"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    string          `json:"error,omitempty"`
	Tries    int             `json:"tries"`
	Enqueued time.Time       `json:"enqueued"`
	Started  time.Time       `json:"started"`
	Finished time.Time       `json:"finished"`
}

// resultsBucket is the key-value bucket of a queue's results.
func resultsBucket(queue string) string { return queue + "_results" }
