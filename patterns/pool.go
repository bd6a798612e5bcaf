package patterns

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ErrPoolClosed is returned by Pool.Acquire once Close has been called,
// including to the callers that were waiting when it was.
var ErrPoolClosed = errors.New("patterns: pool is closed")

// A Pool lends resources that are costly to make, such as database
// connections, to one borrower at a time (asyncpg's and aiohttp's pools).
// It makes them with a factory on demand, up to a maximum, keeps the idle
// ones for the next borrower, and closes them when it is closed.
//
// Acquire lends an idle resource (the one released last, so that a pool
// larger than its load lets the others age out under PoolMaxIdleTime),
// makes a new one if the pool is below its maximum size, or waits. Waiters
// are served in FIFO order, and a released resource goes directly to the
// first waiter; a waiter cancelled after it was handed a resource passes it
// on, so no resource is lost. With PoolHealthCheck, a resource lent from the
// idle set is checked first, and one that fails the check is closed and
// replaced by a new one.
//
// Resources must be distinct comparable values, such as pointers: the pool
// tracks which are lent. A Pool works from tasks and from plain goroutines.
type Pool[R comparable] struct {
	loop    *asyncio.Loop
	factory func(context.Context) (R, error)
	closeFn func(R) error
	cfg     poolConfig
	health  func(context.Context, R) error

	mu      sync.Mutex
	idle    []idleResource[R] // a stack: the last released on top, the oldest at 0
	inUse   map[R]struct{}
	size    int // made or being made, and not yet closed
	waiters waitQueue[poolGrant[R]]
	closed  bool
	drained *asyncio.Event // set once closed and size is 0

	created, closedCount uint64
	closeErrs            []error // close errors after Close began, for Close to return
	reaping              bool    // a reaper timer is set or about to be
	reaper               *asyncio.TimerHandle
}

type idleResource[R any] struct {
	r     R
	since time.Duration
}

// A poolGrant is what a waiter is handed: a resource, or a slot under the
// maximum size in which to make one.
type poolGrant[R any] struct {
	r    R
	slot bool
}

// PoolStats describes a Pool at one moment. Created - Closed is the number
// of resources alive; it equals Size when no resource is being made or
// closed.
type PoolStats struct {
	// Size counts the resources the pool holds, idle or lent, and those
	// being made or closed.
	Size int
	// Idle counts the resources ready to lend.
	Idle int
	// InUse counts the resources lent.
	InUse int
	// Waiting counts the callers waiting in Acquire.
	Waiting int
	// Created counts the resources the factory made.
	Created uint64
	// Closed counts the resources the pool closed.
	Closed uint64
}

// NewPool returns a pool of resources made by factory and closed by
// closeFn (nil: nothing to do), bound to the loop of ctx, whose clock it
// uses. It makes PoolMinSize resources before it returns, and returns the
// first error of the factory, after closing the ones it made. A ctx that
// belongs to no task, sizes out of order (max < 1, min < 0, min > max), or a
// health check for another resource type panic.
func NewPool[R comparable](ctx context.Context, factory func(context.Context) (R, error), closeFn func(R) error, opts ...PoolOption) (*Pool[R], error) {
	cfg := poolConfig{maxSize: 10}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxSize < 1 || cfg.minSize < 0 || cfg.minSize > cfg.maxSize {
		panic(fmt.Sprintf("patterns: NewPool: min size %d and max size %d", cfg.minSize, cfg.maxSize))
	}
	if closeFn == nil {
		closeFn = func(R) error { return nil }
	}
	p := &Pool[R]{
		loop:    loopOf(ctx, "NewPool"),
		factory: factory,
		closeFn: closeFn,
		cfg:     cfg,
		inUse:   make(map[R]struct{}),
		drained: asyncio.NewEvent(),
	}
	if cfg.healthCheck != nil {
		hc, ok := cfg.healthCheck.(func(context.Context, R) error)
		if !ok {
			var zero R
			panic(fmt.Sprintf("patterns: NewPool: health check is a %T, want func(context.Context, %T) error", cfg.healthCheck, zero))
		}
		p.health = hc
	}
	for range cfg.minSize {
		r, err := factory(ctx)
		if err != nil {
			_ = p.Close(context.WithoutCancel(ctx))
			return nil, err
		}
		p.mu.Lock()
		p.created++
		p.size++
		p.idle = append(p.idle, idleResource[R]{r, p.loop.Time()})
		p.armReaperLocked()
		p.mu.Unlock()
	}
	return p, nil
}

// Acquire borrows a resource, waiting while every resource is lent and the
// pool is at its maximum size. It returns ErrPoolClosed once the pool is
// closed, ctx's error if ctx ends first, an error matching
// asyncio.ErrTimeout when PoolAcquireTimeout runs out, or the factory's error
// if making a new resource fails. A borrowed resource must be given back
// with Release or Discard.
func (p *Pool[R]) Acquire(ctx context.Context) (R, error) {
	d := p.cfg.acquireTimeout
	if d <= 0 {
		return p.acquire(ctx)
	}
	var r R
	err := asyncio.Timeout(ctx, d, func(ctx context.Context) error {
		var err error
		r, err = p.acquire(ctx)
		return err
	})
	if errors.Is(err, asyncio.ErrTimeout) {
		return r, fmt.Errorf("patterns: pool acquire timed out after %v: %w", d, err)
	}
	return r, err
}

func (p *Pool[R]) acquire(ctx context.Context) (R, error) {
	var zero R
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return zero, ErrPoolClosed
	}
	if err := ctxErr(ctx); err != nil {
		p.mu.Unlock()
		return zero, err
	}
	var g poolGrant[R]
	switch {
	case p.waiters.len() == 0 && len(p.idle) > 0:
		g.r = p.popIdleLocked()
		p.inUse[g.r] = struct{}{}
	case p.waiters.len() == 0 && p.size < p.cfg.maxSize:
		p.size++
		g.slot = true
	default:
		e := p.waiters.push(ctx, nil)
		var handOn bool
		var err error
		g, handOn, err = p.waiters.wait(ctx, &p.mu, e)
		if err != nil {
			var retire []R
			if handOn {
				retire = p.handOnLocked(g)
			}
			p.mu.Unlock()
			p.retireAll(retire)
			return zero, err
		}
	}
	p.mu.Unlock()
	return p.finish(ctx, g)
}

// finish turns what the caller was given into a healthy resource: it checks
// a resource that was lent before, and makes one in a slot.
func (p *Pool[R]) finish(ctx context.Context, g poolGrant[R]) (R, error) {
	var zero R
	if !g.slot {
		if p.health == nil {
			return g.r, nil
		}
		err := p.health(ctx, g.r)
		if err == nil {
			return g.r, nil
		}
		if cerr := ctxErr(ctx); cerr != nil {
			// The check was cut short: the resource may be fine.
			p.Release(g.r)
			return zero, cerr
		}
		// Unhealthy: close it and make a new one in its slot.
		p.mu.Lock()
		delete(p.inUse, g.r)
		p.mu.Unlock()
		p.closeOne(g.r)
	}
	p.mu.Lock()
	if p.closed {
		p.freeSlotLocked()
		p.mu.Unlock()
		return zero, ErrPoolClosed
	}
	p.mu.Unlock()
	r, err := p.factory(ctx)
	p.mu.Lock()
	if err != nil {
		p.freeSlotLocked()
		p.mu.Unlock()
		return zero, err
	}
	p.created++
	if p.closed {
		p.mu.Unlock()
		p.retire(r)
		return zero, ErrPoolClosed
	}
	p.inUse[r] = struct{}{}
	p.mu.Unlock()
	return r, nil
}

// Release gives back a resource borrowed with Acquire: the first waiter
// gets it, or it joins the idle ones; after Close it is closed. Releasing a
// resource that is not lent is a bug and panics, as unlocking an unlocked
// sync.Mutex does.
func (p *Pool[R]) Release(r R) {
	p.mu.Lock()
	if _, ok := p.inUse[r]; !ok {
		p.mu.Unlock()
		panic(fmt.Sprintf("patterns: Pool.Release of %v, which the pool has not lent", r))
	}
	retire := p.releaseLocked(r)
	p.mu.Unlock()
	p.retireAll(retire)
}

// Discard gives back a borrowed resource that is broken: the pool closes
// it, and the first waiter, if any, makes a new one in its place.
// Discarding a resource that is not lent panics.
func (p *Pool[R]) Discard(r R) {
	p.mu.Lock()
	if _, ok := p.inUse[r]; !ok {
		p.mu.Unlock()
		panic(fmt.Sprintf("patterns: Pool.Discard of %v, which the pool has not lent", r))
	}
	delete(p.inUse, r)
	p.mu.Unlock()
	p.retire(r)
}

// Do borrows a resource, calls fn with it, and gives it back, discarding it
// if fn panics (asyncpg's "async with pool.acquire() as conn"). It returns
// Acquire's error or fn's.
func (p *Pool[R]) Do(ctx context.Context, fn func(context.Context, R) error) error {
	r, err := p.Acquire(ctx)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if ok {
			p.Release(r)
		} else {
			p.Discard(r)
		}
	}()
	err = fn(ctx, r)
	ok = true
	return err
}

// Close closes the pool: Acquire fails with ErrPoolClosed from now on, and
// so do the callers waiting in it; the idle resources are closed at once,
// and the lent ones as they are released. Close waits until every resource
// is closed, or until ctx ends, and returns the errors of closing them
// joined (with ctx's error if it ended first; the resources still lent are
// then closed when released). Calling Close again waits again.
func (p *Pool[R]) Close(ctx context.Context) error {
	p.mu.Lock()
	var retire []R
	if !p.closed {
		p.closed = true
		p.waiters.fail(ErrPoolClosed)
		for _, ir := range p.idle {
			retire = append(retire, ir.r)
		}
		p.idle = nil
		if p.reaper != nil {
			p.reaper.Cancel()
			p.reaper = nil
		}
		p.checkDrainedLocked()
	}
	p.mu.Unlock()
	p.retireAll(retire)
	werr := p.drained.Wait(ctx)
	p.mu.Lock()
	errs := append([]error{werr}, p.closeErrs...)
	p.closeErrs = nil
	p.mu.Unlock()
	return errors.Join(errs...)
}

// Stats returns the pool's state.
func (p *Pool[R]) Stats() PoolStats {
	p.mu.Lock()
	defer p.mu.Unlock()
	return PoolStats{
		Size:    p.size,
		Idle:    len(p.idle),
		InUse:   len(p.inUse),
		Waiting: p.waiters.len(),
		Created: p.created,
		Closed:  p.closedCount,
	}
}

func (p *Pool[R]) popIdleLocked() R {
	n := len(p.idle) - 1
	r := p.idle[n].r
	p.idle[n] = idleResource[R]{}
	p.idle = p.idle[:n]
	return r
}

// releaseLocked takes back a lent resource. It returns the resource if it
// must be closed (the pool is closed) by the caller, outside the mutex.
func (p *Pool[R]) releaseLocked(r R) []R {
	if p.closed {
		delete(p.inUse, r)
		return []R{r}
	}
	if p.waiters.grant(poolGrant[R]{r: r}) != nil {
		return nil // still lent, to the waiter now
	}
	delete(p.inUse, r)
	p.idle = append(p.idle, idleResource[R]{r, p.loop.Time()})
	p.armReaperLocked()
	return nil
}

// handOnLocked passes on what a cancelled waiter was handed.
func (p *Pool[R]) handOnLocked(g poolGrant[R]) []R {
	if g.slot {
		p.freeSlotLocked()
		return nil
	}
	return p.releaseLocked(g.r)
}

// freeSlotLocked gives a slot under the maximum size to the first waiter,
// who makes a resource in it, or frees it.
func (p *Pool[R]) freeSlotLocked() {
	if !p.closed && p.waiters.grant(poolGrant[R]{slot: true}) != nil {
		return
	}
	p.size--
	p.checkDrainedLocked()
}

func (p *Pool[R]) checkDrainedLocked() {
	if p.closed && p.size == 0 {
		p.drained.Set()
	}
}

func (p *Pool[R]) retireAll(rs []R) {
	for _, r := range rs {
		p.retire(r)
	}
}

// retire closes a resource that no longer counts as idle or lent, and frees
// its slot.
func (p *Pool[R]) retire(r R) {
	p.closeOne(r)
	p.mu.Lock()
	p.freeSlotLocked()
	p.mu.Unlock()
}

// closeOne closes r and deals with the error: Close returns it if the pool
// is closing, the PoolOnCloseError function or the loop's exception handler
// hears of it otherwise.
func (p *Pool[R]) closeOne(r R) {
	err := p.closeFn(r)
	p.mu.Lock()
	p.closedCount++
	closing := p.closed
	if err != nil && closing {
		p.closeErrs = append(p.closeErrs, err)
	}
	p.mu.Unlock()
	if err == nil || closing {
		return
	}
	if p.cfg.onCloseError != nil {
		p.cfg.onCloseError(err)
		return
	}
	l := p.loop
	l.CallSoonThreadsafe(func() {
		l.CallExceptionHandler(asyncio.ExceptionContext{Message: "patterns: Pool could not close a resource", Err: err})
	})
}

// armReaperLocked makes sure a timer will close the idle resources that
// outlive PoolMaxIdleTime. The timer is set from a callback, since the
// caller may not be running on the loop.
func (p *Pool[R]) armReaperLocked() {
	if p.cfg.maxIdle <= 0 || p.reaping || p.closed || len(p.idle) == 0 {
		return
	}
	p.reaping = true
	p.loop.CallSoonThreadsafe(func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		p.scheduleReapLocked(0)
	})
}

// scheduleReapLocked sets the reaper for the oldest idle resource, unless
// the pool is down to its minimum size once the retiring resources are
// gone; it runs on the loop.
func (p *Pool[R]) scheduleReapLocked(retiring int) {
	if p.closed || len(p.idle) == 0 || p.size-retiring <= p.cfg.minSize {
		p.reaping = false
		return
	}
	p.reaper = p.loop.CallAt(p.idle[0].since+p.cfg.maxIdle, p.reap)
}

func (p *Pool[R]) reap() {
	p.mu.Lock()
	p.reaper = nil
	now := p.loop.Time()
	var retire []R
	excess := p.size - p.cfg.minSize
	for len(retire) < excess && len(p.idle) > 0 && p.idle[0].since+p.cfg.maxIdle <= now {
		retire = append(retire, p.idle[0].r)
		p.idle[0] = idleResource[R]{}
		p.idle = p.idle[1:]
	}
	p.scheduleReapLocked(len(retire))
	p.mu.Unlock()
	p.retireAll(retire)
}
