package db

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Pool is a set of connections to one database, shared by the tasks of
// any number of loops and by plain goroutines (asyncpg's Pool). Its
// methods run the driver on the pool's executor; a task waits on the
// loop, a goroutine that is not a task blocks.
//
// A Pool admits at most MaxConns callers at once, in the order they came
// (waiting shows in snapshots as "db: waiting for a connection"); each
// admitted call then has a connection and a goroutine of the executor,
// so driver calls never queue behind one another there.
type Pool struct {
	cfg    config
	kind   string // "sqlite", "postgres" or "mysql"
	be     backend
	gate   *asyncio.Semaphore
	exec   *asyncio.ThreadPool
	closed atomic.Bool

	lmu    sync.Mutex
	listen *listener // the Listeners' connection, made by the first Listen

	acquires  atomic.Int64
	waits     atomic.Int64
	waitNanos atomic.Int64
	waiting   atomic.Int64
	inUse     atomic.Int64
	cancels   atomic.Int64
	slow      atomic.Int64
	discards  atomic.Int64
}

// Kind names the pool's database: "sqlite", "postgres" or "mysql".
func (p *Pool) Kind() string { return p.kind }

// admit takes a permit of the gate, counting the wait.
func (p *Pool) admit(ctx context.Context) error {
	if p.closed.Load() {
		return ErrPoolClosed
	}
	p.acquires.Add(1)
	// The fast path: a free permit and nobody waiting for one.
	if p.gate.TryAcquire() {
		p.inUse.Add(1)
		return nil
	}
	p.waits.Add(1)
	p.waiting.Add(1)
	start := time.Now()
	done := asyncio.Annotate(ctx, "db: waiting for a connection")
	err := p.gate.Acquire(ctx)
	done()
	p.waiting.Add(-1)
	p.waitNanos.Add(int64(time.Since(start)))
	if err != nil {
		return err
	}
	p.inUse.Add(1)
	return nil
}

// unadmit gives a permit back.
func (p *Pool) unadmit() {
	p.inUse.Add(-1)
	p.gate.Release()
}

// Close closes the pool (asyncpg's Pool.close): calls made from now on
// fail with ErrPoolClosed, calls already admitted or waiting go on, and
// Close waits for them and for every connection borrowed with Acquire or
// held by Tx to come back, then closes the connections and the pool's
// goroutines. If ctx ends first, Close returns ctx's error and the pool
// stays open for those calls; calling Close again waits again.
func (p *Pool) Close(ctx context.Context) error {
	p.closed.Store(true)
	for taken := 0; taken < p.cfg.maxConns; taken++ {
		if err := p.gate.Acquire(ctx); err != nil {
			// Give back what was taken, so that a second Close finds
			// the count whole.
			for range taken {
				p.gate.Release()
			}
			return err
		}
	}
	defer func() {
		for range p.cfg.maxConns {
			p.gate.Release()
		}
	}()
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
		p.lmu.Lock()
		ln := p.listen
		p.lmu.Unlock()
		if ln != nil {
			ln.close()
		}
		p.be.close()
		return struct{}{}, p.exec.Shutdown(context.Background())
	})
	return err
}

// Stats are counts of a pool's connections and calls, at one moment.
type Stats struct {
	MaxConns int // the most connections the pool opens
	Open     int // connections open now
	Idle     int // open and not in use
	InUse    int // calls holding a connection now
	Waiting  int // calls waiting for a connection now
	// Acquires counts the calls admitted or waiting since Open; Waits
	// those that had to wait, for WaitTime in all.
	Acquires int64
	Waits    int64
	WaitTime time.Duration
	// Cancels counts queries cancelled while the server ran them, and
	// Discards the connections closed because they were left unusable.
	Cancels  int64
	Discards int64
	// Slow counts the statements that took at least SlowQuery's
	// threshold.
	Slow int64
}

// Stats returns the pool's counts now.
func (p *Pool) Stats() Stats {
	open, idle := p.be.counts()
	return Stats{
		MaxConns: p.cfg.maxConns,
		Open:     open,
		Idle:     idle,
		InUse:    int(p.inUse.Load()),
		Waiting:  int(p.waiting.Load()),
		Acquires: p.acquires.Load(),
		Waits:    p.waits.Load(),
		WaitTime: time.Duration(p.waitNanos.Load()),
		Cancels:  p.cancels.Load(),
		Discards: p.discards.Load(),
		Slow:     p.slow.Load(),
	}
}
