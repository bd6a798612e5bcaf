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
	// mu is held by the call running on the executor: a call a cancelled
	// task left running finishes before the next one, or the end, starts.
	mu     sync.Mutex
	s      session
	ended  bool
	inTx   bool // a Tx runs on it
	broken bool // the connection must be closed, not reused
	// inline marks the lease of the Conn that OnConnect gets: it runs its
	// calls on the goroutine opening the connection, already off the
	// loop, and leaves the connection to the pool.
	inline bool
}

// hop runs work on the pool's executor and waits for it, or, inline,
// runs it at once.
func (l *lease) hop(ctx context.Context, work func() (struct{}, error)) error {
	if l.inline {
		_, err := work()
		return err
	}
	_, err := asyncio.RunInExecutor(ctx, l.p.exec, work)
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
	if err != nil && ctx.Err() != nil {
		l.p.cancels.Add(1)
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
	if err := l.p.exec.Submit(func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.endLocked()
	}); err != nil {
		// Only Close shuts the executor down, and it waits for every
		// lease first: this cannot happen unless a lease outlives it.
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
		if l.broken {
			l.p.discards.Add(1)
		}
		l.s.release(l.broken)
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
