package jobs

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A cronJob is a periodic job of a worker.
type cronJob struct {
	name  string
	sched Schedule
}

// RegisterCron makes fn a periodic job of w, named name, run at the times
// of sched (Cron, Every). Each time comes once for the whole queue, however
// many workers run it: every worker enqueues the job at that time under
// the id cron.<name>.<unix seconds>, and the queue keeps one of them (its
// duplicate window, 2 min, must cover the difference between the workers'
// clocks). A time at which no worker of the queue is running is skipped.
// The job runs like any other, with retries, timeout and result.
func RegisterCron(w *Worker, name string, sched Schedule, fn func(ctx context.Context) error) {
	if !validJobID.MatchString("cron." + name + ".0") {
		panic(fmt.Sprintf("jobs: periodic job name %q: use letters, digits, -, _, = and .", name))
	}
	Register(w, name, func(ctx context.Context, _ struct{}) (struct{}, error) {
		return struct{}{}, fn(ctx)
	})
	w.crons = append(w.crons, cronJob{name: name, sched: sched})
}

// schedule enqueues the periodic job cj at each of its times, until stop
// is set.
func (w *Worker) schedule(ctx context.Context, cj cronJob, stop *asyncio.Event) {
	next := cj.sched.Next(time.Now())
	for !next.IsZero() {
		err := asyncio.Timeout(ctx, time.Until(next), stop.Wait)
		if !errors.Is(err, asyncio.ErrTimeout) {
			return // stopped
		}
		id := fmt.Sprintf("cron.%s.%d", cj.name, next.Unix())
		if _, err := w.c.Enqueue(ctx, cj.name, struct{}{}, OnQueue(w.queue), JobID(id)); err != nil {
			w.cfg.logger.Error("jobs: enqueueing a periodic job failed", "queue", w.queue, "func", cj.name,
				"at", next, "err", err)
		}
		next = cj.sched.Next(next)
	}
}
