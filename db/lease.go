package db

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A lease is a connection borrowed from a pool for a run of calls: one
// statement, a stream of rows, a Conn or a Tx. The pool admitted it; its
// session is acquired by its first call, on the executor, so that a
// statement costs one hop off the loop.
type lease struct {
	p *Pool
	// mu is held by the call running on the executor. The strand (work)
	// already runs them one at a time; mu also covers the inline lease
	// of OnConnect, which runs its calls where it is.
	mu     sync.Mutex
	s      session
	ended  bool
	inTx   bool // a Tx runs on it
	broken bool // the connection must be closed, not reused
	// inline marks the lease of the Conn that OnConnect gets: it runs its
	// calls on the goroutine opening the connection, already off the
	// loop, and leaves the connection to the pool.
	inline bool
	// work runs the lease's calls and its end on the pool's executor.
	work strand
}

// A strand runs a lease's work on the pool's executor one piece at a
// time, in order, on one goroutine at most. Calls that several tasks
// queue on one Conn or Tx, and the end of a lease whose cancelled call
// still runs, wait in the strand's queue: each holding a goroutine of
// the executor, which has one per connection, they would keep calls on
// the other connections waiting.
type strand struct {
	exec    *asyncio.ThreadPool
	mu      sync.Mutex
	queue   []func()
	running bool // a goroutine of exec drains the queue
}

// Submit queues fn, and has a goroutine of the executor drain the queue
// if none does.
func (s *strand) Submit(fn func()) error {
	s.mu.Lock()
	s.queue = append(s.queue, fn)
	if s.running {
		s.mu.Unlock()
		return nil
	}
	s.running = true
	s.mu.Unlock()
	if err := s.exec.Submit(s.drain); err != nil {
		s.mu.Lock()
		s.queue, s.running = nil, false
		s.mu.Unlock()
		return err
	}
	return nil
}

// drain runs the queued work until the queue is empty.
func (s *strand) drain() {
	for {
		s.mu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			s.mu.Unlock()
			return
		}
		fn := s.queue[0]
		s.queue[0] = nil
		s.queue = s.queue[1:]
		s.mu.Unlock()
		fn()
	}
}

// Shutdown does nothing: the pool's Close shuts its executor down, once
// every lease has ended.
func (s *strand) Shutdown(context.Context) error { return nil }

func newLease(p *Pool) *lease {
	return &lease{p: p, work: strand{exec: p.exec}}
}

// hop runs work on the pool's executor and waits for it, or, inline,
// runs it at once.
func (l *lease) hop(ctx context.Context, work func() (struct{}, error)) error {
	if l.inline {
		_, err := work()
		return err
	}
	_, err := asyncio.RunInExecutor(ctx, &l.work, work)
	return err
}

// call runs fn with the lease's connection on the pool's executor and
// waits for it. With last, the lease ends when fn returns, in the same
// hop: the connection goes back to the pool even if the task waiting was
// cancelled and left. sql names the call in snapshots and the slow-query
// log.
//
// fn gets ctx, which is the task's: cancelling the task cancels the
// driver's call, and each driver then stops the query on the server.
func (l *lease) call(ctx context.Context, sql string, last bool, fn func(ctx context.Context, s session) error) error {
	defer annotate(ctx, sql)()
	return l.hop(ctx, func() (struct{}, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if last {
			defer l.endLocked()
		}
		return struct{}{}, l.run(ctx, sql, fn)
	})
}

// run is call's work, on the executor, under mu.
func (l *lease) run(ctx context.Context, sql string, fn func(ctx context.Context, s session) error) error {
	if l.ended {
		return errLeaseEnded
	}
	if err := ctx.Err(); err != nil {
		// The task was cancelled while the call waited for a goroutine.
		return err
	}
	if l.s == nil {
		s, err := l.p.be.acquire(ctx)
		if err != nil {
			return err
		}
		l.s = s
	}
	start := time.Now()
	err := fn(ctx, l.s)
	l.p.observe(ctx, sql, time.Since(start), err)
	if err != nil {
		l.p.be.failed(err)
		if ctx.Err() != nil {
			l.p.cancels.Add(1)
		}
	}
	return l.p.wrap(sql, err)
}

// errLeaseEnded is a call on a Conn after Release or a Tx after its end.
var errLeaseEnded = errors.New("db: connection already released")

// end gives the connection back, after any call still running; it
// neither waits nor blocks the loop.
func (l *lease) end() {
	if l.inline {
		return
	}
	if err := l.work.Submit(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.endLocked()
	}); err != nil {
		// Only Close shuts the executor down, and it waits for every
		// lease first: this cannot happen unless a lease outlives it.
		panic("db: lease ended after its pool closed")
	}
}

// endAfter is end that first runs fn on the connection, if the lease
// has one; a connection fn fails on is closed.
func (l *lease) endAfter(fn func(s session) error) {
	if l.inline {
		return
	}
	if err := l.work.Submit(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.s != nil && !l.ended && !l.broken {
			if err := fn(l.s); err != nil {
				l.broken = true
			}
		}
		l.endLocked()
	}); err != nil {
		panic("db: lease ended after its pool closed")
	}
}

// endLocked releases the session and the permit, once.
func (l *lease) endLocked() {
	if l.ended {
		return
	}
	l.ended = true
	if l.inline {
		return
	}
	if l.s != nil {
		if l.s.release(l.broken) {
			l.p.discards.Add(1)
		}
		l.s = nil
	}
	l.p.unadmit()
}

// annotate shows sql in snapshots as what the task of ctx is doing.
func annotate(ctx context.Context, sql string) func() {
	return asyncio.Annotate(ctx, "db: "+shorten(sql, 120))
}

// sleep waits d on the clock of ctx's loop.
func sleep(ctx context.Context, d time.Duration) error { return asyncio.Sleep(ctx, d) }
