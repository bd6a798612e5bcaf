package main

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A service is the work the program does: tasks that wait in every kind
// of way a monitor can show.
type service struct {
	stop <-chan struct{} // closed when the program is asked to stop
	opts options
	jobs *asyncio.Queue[int]
	mail *asyncio.Queue[string]
	db   *asyncio.Lock // held to commit a result, and by the checkpoint
}

func newService(stop <-chan struct{}, opts options) *service {
	return &service{
		stop: stop,
		opts: opts,
		jobs: asyncio.NewQueue[int](4),
		mail: asyncio.NewQueue[string](0),
		db:   asyncio.NewLock(),
	}
}

// start spawns the service's tasks in g. They run until cancelled.
func (s *service) start(g *asyncio.TaskGroup) {
	g.Go(s.produce, asyncio.Name("producer"))
	for i := 1; i <= 3; i++ {
		g.Go(s.work, asyncio.Name(fmt.Sprintf("worker-%d", i)))
	}
	g.Go(s.checkpoint, asyncio.Name("checkpoint"))
	g.Go(s.mailer, asyncio.Name("mailer"))
	g.Go(janitor, asyncio.Name("janitor"))
	g.Go(s.index, asyncio.Name("indexer"))
	if s.opts.hang > 0 {
		g.Go(s.export, asyncio.Name("exporter"))
	}
	if s.opts.deadlock {
		a, b := asyncio.NewLock(), asyncio.NewLock()
		g.Go(func(ctx context.Context) error { return transfer(ctx, a, b) }, asyncio.Name("transfer-a"))
		g.Go(func(ctx context.Context) error { return transfer(ctx, b, a) }, asyncio.Name("transfer-b"))
	}
}

// produce queues a job every 150 ms; the queue holds four, so when the
// workers fall behind the producer waits in Queue.Put.
func (s *service) produce(ctx context.Context) error {
	for n := 1; ; n++ {
		if err := s.jobs.Put(ctx, n); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, 150*time.Millisecond); err != nil {
			return err
		}
	}
}

// work takes jobs, works on each for a while, and commits the result
// under the db lock, which the checkpoint may be holding.
func (s *service) work(ctx context.Context) error {
	for {
		job, err := s.jobs.Get(ctx)
		if err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, time.Duration(300+job%5*50)*time.Millisecond); err != nil {
			return err
		}
		if err := s.db.Acquire(ctx); err != nil {
			return err
		}
		err = asyncio.Sleep(ctx, 10*time.Millisecond) // the commit
		s.db.Release()
		if err != nil {
			return err
		}
	}
}

// checkpoint holds the db lock for 1.5 s every 2.5 s, as a snapshot of a
// database would: meanwhile the workers queue up in Lock.Acquire.
func (s *service) checkpoint(ctx context.Context) error {
	for {
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if err := s.db.Acquire(ctx); err != nil {
			return err
		}
		err := asyncio.Sleep(ctx, 1500*time.Millisecond)
		s.db.Release()
		if err != nil {
			return err
		}
	}
}

// mailer sends the mail queued for it; none ever is, so it waits in
// Queue.Get for as long as the program runs.
func (s *service) mailer(ctx context.Context) error {
	for {
		if _, err := s.mail.Get(ctx); err != nil {
			return err
		}
	}
}

// janitor cleans up once an hour: it sleeps.
func janitor(ctx context.Context) error {
	for {
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
	}
}

// index rebuilds a search index at once and then every five seconds, with
// a call that blocks instead of awaiting: the loop, and every task on it,
// stands still meanwhile. The watchdog reports each such step, and the
// monitor lists them among the slowest.
func (s *service) index(ctx context.Context) error {
	for {
		if s.opts.stall > 0 {
			s.rebuildIndex()
		}
		if err := asyncio.Sleep(ctx, 5*time.Second); err != nil {
			return err
		}
	}
}

// export waits for the -hang duration, then makes a blocking call that
// does not return until the program is asked to stop: the loop is stuck
// from then on, as if a task had called a blocking API that hung.
func (s *service) export(ctx context.Context) error {
	if err := asyncio.Sleep(ctx, s.opts.hang); err != nil {
		return err
	}
	writeReport(s.stop)
	return nil
}

// writeReport blocks until stop is closed.
func writeReport(stop <-chan struct{}) { <-stop }

// rebuildIndex stands for a blocking call, such as a synchronous query or
// a CPU-heavy computation, made from a task. It gives up early when the
// program is asked to stop, so that even a long -stall does not hold up
// the exit.
func (s *service) rebuildIndex() {
	t := time.NewTimer(s.opts.stall)
	defer t.Stop()
	select {
	case <-t.C:
	case <-s.stop:
	}
}

// transfer moves money between two accounts, locking the one it takes
// from, then the one it pays into. Two transfers in opposite directions
// each get their first lock and wait forever for the other's.
func transfer(ctx context.Context, from, to *asyncio.Lock) error {
	if err := from.Acquire(ctx); err != nil {
		return err
	}
	defer from.Release()
	// Read the balance: a wait, and the other transfer gets its first
	// lock meanwhile.
	if err := asyncio.Sleep(ctx, 0); err != nil {
		return err
	}
	if err := to.Acquire(ctx); err != nil {
		return err
	}
	defer to.Release()
	return nil
}
