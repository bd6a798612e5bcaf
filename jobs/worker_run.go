package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/patterns"
	"github.com/nats-io/nats.go"
)

// slot is one of the worker's Concurrency tasks: it takes a job, runs it,
// settles it, and takes the next, until the queue shuts down.
func (w *Worker) slot(ctx context.Context, q *Queue[[]byte]) {
	var t *slotTry
	if w.deadlines != nil {
		t = w.deadlines.add()
	}
	note := &slotNote{}
	done := asyncio.AnnotateWith(ctx, note)
	defer done()
	for {
		// The delivery itself, not an Item: the payload is the job's
		// arguments as they are, with no codec to run.
		d, err := q.core.get(ctx)
		if err != nil {
			return // the queue shut down, or the worker was cancelled
		}
		w.runJob(ctx, d, t, note)
	}
}

// runJob runs one try of the job d in the slot whose try is t (nil
// without JobTimeout) and whose note is note, and settles it.
func (w *Worker) runJob(ctx context.Context, d *delivery, t *slotTry, note *slotNote) {
	name := w.funcOf(d)
	try := d.attempt
	// The record's times are for the results bucket only: a worker that
	// keeps none reads no clock per job.
	keep := w.cfg.keepResult > 0
	var started time.Time
	if keep {
		started = time.Now()
	}
	if try > w.cfg.maxTries {
		// Every try ended without a word from its worker: it died, or
		// lost the server, each time. The job fails for good unrun.
		why := "delivered " + w.maxTriesText + " times without an outcome (its worker died or lost the server)"
		w.cfg.logger.Error("jobs: job failed", "queue", w.queue, "func", name, "job", d.jobID(), "tries", w.cfg.maxTries, "err", why)
		rec := record{Func: name, Tries: w.cfg.maxTries, Error: why, Started: started, Finished: started}
		if !w.store(ctx, d, rec) {
			d.giveBack()
			return
		}
		d.discard(why)
		return
	}

	out, err := w.invoke(ctx, d, t, note, name, try)
	rec := record{Func: name, Tries: try, Started: started}
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
		if w.store(ctx, d, rec) {
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
		w.cfg.logger.Error("jobs: job failed", "queue", w.queue, "func", name, "job", d.jobID(), "tries", try, "err", err)
		if !w.store(ctx, d, rec) {
			d.giveBack()
			return
		}
		d.discard(rec.Error)
	case errors.As(err, &again):
		d.retry(again.d, err)
	default:
		delay := w.cfg.backoff.Delay(try)
		w.cfg.logger.Warn("jobs: job failed, will try again", "queue", w.queue, "func", name, "job", d.jobID(),
			"try", try, "in", delay, "err", err)
		d.retry(delay, err)
	}
}

// invoke calls the job function name for the job d, within the job
// timeout, and turns a panic into an error. The job runs with a ctx of
// its own, which CurrentJob reads and `asyncio ps` describes.
func (w *Worker) invoke(ctx context.Context, d *delivery, t *slotTry, note *slotNote, name string, try int) ([]byte, error) {
	fn, ok := w.funcs[name]
	if !ok {
		// Another worker of the queue may know it (a deployment in
		// progress): tried again like any failure.
		return nil, fmt.Errorf("no job function %q on this worker", name)
	}
	job := &runningJob{Context: ctx, info: JobInfo{Func: name, Queue: w.queue, Try: try}, d: d, w: w}
	note.job.Store(job)
	defer note.job.Store(nil)
	if t == nil {
		return job.call(fn)
	}
	// The scope has no deadline of its own: the worker's deadlines
	// expire it (see deadlines). It is made from the slot's ctx, and the
	// job's ctx wraps it, so that it binds to the slot directly.
	s := asyncio.NewTimeout(ctx, asyncio.NoDeadline)
	job.Context, job.loop = s.Context(), w.deadlines.loop
	w.deadlines.start(t, s)
	job.deadline = t.deadline
	out, err := job.call(fn)
	w.deadlines.end(t)
	if err = s.Close(err); errors.Is(err, asyncio.ErrTimeout) {
		err = fmt.Errorf("timed out after %v", w.cfg.jobTimeout)
	}
	return out, err
}

// store keeps the outcome of the job d in the results bucket, if the
// worker keeps results, and reports whether the job may be settled: a
// result the server did not take would be lost with the job.
func (w *Worker) store(ctx context.Context, d *delivery, rec record) bool {
	if w.cfg.keepResult <= 0 {
		return true
	}
	id := d.jobID()
	if id == "" {
		return true
	}
	rec.Enqueued = d.enqueued()
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
		// On the subject of the job's function in the queue, if it
		// came on that of the function in the queue of delayed jobs.
		m := nats.NewMsg(subject(w.queue))
		if name, ok := strings.CutPrefix(it.d.msg.Subject, runSubject(laterQueue(w.queue), "")); ok {
			m.Subject = runSubject(w.queue, name)
		}
		m.Data = it.Value
		for k, v := range it.d.msg.Header {
			if k != hdrNotBefore {
				m.Header[k] = v
			}
		}
		if m.Header.Get(hdrEnqueued) == "" {
			// Stored in the queue's stream now, not when it was
			// enqueued: the job says when that was.
			m.Header.Set(hdrEnqueued, it.d.enqueued().UTC().Format(time.RFC3339Nano))
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

// funcOf returns the name of the job function of the job d: the end of
// its subject, or its Jobs-Func header if it came on the queue's own
// subject.
func (w *Worker) funcOf(d *delivery) string {
	if name, ok := strings.CutPrefix(d.msg.Subject, w.runPrefix); ok {
		return name
	}
	return d.header(hdrFunc)
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
