package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
	"github.com/nats-io/nats.go"
)

// slot is one of the worker's Concurrency tasks: it takes a job, runs it,
// settles it, and takes the next, until the queue shuts down.
func (w *Worker) slot(ctx context.Context, q *Queue[[]byte]) {
	for {
		// The delivery itself, not an Item: the payload is the job's
		// arguments as they are, with no codec to run.
		d, err := q.core.get(ctx)
		if err != nil {
			return // the queue shut down, or the worker was cancelled
		}
		w.runJob(ctx, d)
	}
}

// runJob runs one try of the job d and settles it.
func (w *Worker) runJob(ctx context.Context, d *delivery) {
	id, name := d.header(hdrID), d.header(hdrFunc)
	try := d.attempt
	// The record's enqueue time is parsed when the record is stored (the
	// parse costs more than a no-op job).
	rec := record{Func: name, Tries: try}
	keep := w.cfg.keepResult > 0 // the times are for the stored record only
	if keep {
		rec.Started = time.Now()
	}
	if try > w.cfg.maxTries {
		// Every try ended without a word from its worker: it died, or
		// lost the server, each time. The job fails for good unrun.
		rec.Tries = w.cfg.maxTries
		rec.Error = "delivered " + w.maxTriesText + " times without an outcome (its worker died or lost the server)"
		rec.Finished = rec.Started
		w.cfg.logger.Error("jobs: job failed", "queue", w.queue, "func", name, "job", id, "tries", w.cfg.maxTries, "err", rec.Error)
		if !w.store(ctx, d, id, &rec) {
			d.giveBack()
			return
		}
		d.discard(rec.Error)
		return
	}

	// CurrentJob parses the enqueue time if the job asks for it.
	jctx := &runningJob{Context: ctx, info: JobInfo{ID: id, Func: name, Queue: w.queue, Try: try}, enqueued: d.header(hdrEnqueued)}
	done := asyncio.Annotate(ctx, "jobs: running "+name+" (job "+id+", try "+strconv.Itoa(try)+" of "+w.maxTriesText+")")
	out, err := w.invoke(jctx, name, d.msg.Data())
	done()
	if keep {
		rec.Finished = time.Now()
	}
	if ctx.Err() != nil {
		// The worker is shutting down and cut the job short: it was
		// handed back, and runs again elsewhere.
		return
	}
	if err == nil {
		rec.OK, rec.Result = true, out
		if w.store(ctx, d, id, &rec) {
			d.taskDone()
		} else {
			d.giveBack()
		}
		return
	}

	rec.Error = err.Error()
	var again *retryIn
	switch {
	case patterns.IsPermanent(err) || try >= w.cfg.maxTries:
		w.cfg.logger.Error("jobs: job failed", "queue", w.queue, "func", name, "job", id, "tries", try, "err", err)
		if !w.store(ctx, d, id, &rec) {
			d.giveBack()
			return
		}
		d.discard(rec.Error)
	case errors.As(err, &again):
		d.retry(again.d, err)
	default:
		delay := w.cfg.backoff.Delay(try)
		w.cfg.logger.Warn("jobs: job failed, will try again", "queue", w.queue, "func", name, "job", id,
			"try", try, "in", delay, "err", err)
		d.retry(delay, err)
	}
}

// invoke calls the job function name, within the job timeout, and turns
// a panic into an error.
func (w *Worker) invoke(ctx context.Context, name string, args []byte) ([]byte, error) {
	fn, ok := w.funcs[name]
	if !ok {
		// Another worker of the queue may know it (a deployment in
		// progress): tried again like any failure.
		return nil, fmt.Errorf("no job function %q on this worker", name)
	}
	call := func(ctx context.Context) (out []byte, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("panic: %v", r)
			}
		}()
		return fn(ctx, args)
	}
	if w.cfg.jobTimeout <= 0 {
		return call(ctx)
	}
	out, err := asyncio.WaitFor(ctx, w.cfg.jobTimeout, call)
	if errors.Is(err, asyncio.ErrTimeout) {
		err = fmt.Errorf("timed out after %v", w.cfg.jobTimeout)
	}
	return out, err
}

// store keeps the outcome of job id in the results bucket, if the worker
// keeps results, and reports whether the job may be settled: a result the
// server did not take would be lost with the job.
func (w *Worker) store(ctx context.Context, d *delivery, id string, rec *record) bool {
	if w.cfg.keepResult <= 0 || id == "" {
		return true
	}
	rec.Enqueued = parseTime(d.header(hdrEnqueued))
	data, err := json.Marshal(rec)
	if err != nil {
		return false
	}
	m := nats.NewMsg("$KV." + resultsBucket(w.queue) + "." + id)
	m.Data = data
	if _, err := w.c.publish(ctx, m); err != nil {
		if ctx.Err() == nil {
			w.cfg.logger.Warn("jobs: storing a result failed; the job will run again", "queue", w.queue, "job", id, "err", err)
		}
		return false
	}
	return true
}

// promote moves the delayed jobs of the worker's queue to the queue once
// they are due, until the queue of delayed jobs shuts down. A job that
// is not due goes back to its stream to be delivered when it is: the
// server keeps the time, so a worker that dies loses nothing.
func (w *Worker) promote(ctx context.Context, later *Queue[[]byte]) {
	for {
		it, err := later.Get(ctx)
		if err != nil {
			return
		}
		if wait := time.Until(parseTime(it.d.header(hdrNotBefore))); wait > 0 {
			it.Retry(wait, nil)
			continue
		}
		m := nats.NewMsg(subject(w.queue))
		m.Data = it.Value
		for k, v := range it.d.msg.Headers() {
			if k != hdrNotBefore {
				m.Header[k] = v
			}
		}
		// The job keeps its id as the message id: should this worker
		// die before its acknowledgement reaches the server, the worker
		// that moves the job again is told it is there already.
		if _, err := w.c.publish(ctx, m); err != nil {
			it.Retry(time.Second, err)
			continue
		}
		it.TaskDone()
	}
}

// parseTime reads a time header's value; the zero time if it is absent
// or bad.
func parseTime(v string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, v)
	return t
}

// rawCodec passes payloads through: the worker decodes a job's arguments
// once it knows the job function's type.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) { return v.([]byte), nil }

func (rawCodec) Unmarshal(data []byte, v any) error {
	*v.(*[]byte) = data
	return nil
}
