package asyncio

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// An Awaitable is a task or a future: something Wait, AsCompleted and
// RunUntilDone can wait for whatever its result type.
type Awaitable interface {
	// Done reports whether it has finished.
	Done() bool
	// Err returns its error once it has finished (a *PanicError if it
	// panicked), or ErrNotDone.
	Err() error

	core() *futureCore
}

// futureCore is the completion state shared by futures and tasks: done or
// not, the error or panic, and who to tell.
type futureCore struct {
	loop *Loop     // where done-callbacks run; nil for a future made off any loop
	task *taskCore // the task this is the completion of; nil for a Future

	mu        sync.Mutex
	done      atomic.Bool
	retrieved atomic.Bool // beside done: together they fill a word
	err       error
	panicked  *PanicError
	waiters   []doneWaiter
	callbacks []func()
	doneCh    chan struct{}
}

// A doneWaiter is a task suspended on a future until it is done, or a
// function to tell (multiWait), which must be safe from any goroutine.
type doneWaiter struct {
	wake
	notify func(*futureCore)
	owner  any // identifies the notify's owner, to remove it
}

func (c *futureCore) core() *futureCore { return c }

func (c *futureCore) isDone() bool { return c.done.Load() }

// retrieve is Err of a task or future.
func (c *futureCore) retrieve() error {
	if !c.done.Load() {
		return ErrNotDone
	}
	c.markRetrieved()
	return c.failure()
}

func (c *futureCore) cancelled() bool {
	return c.done.Load() && c.panicked == nil && errors.Is(c.err, context.Canceled)
}

// failure returns the error or the panic; call only once done.
func (c *futureCore) failure() error {
	if c.panicked != nil {
		return c.panicked
	}
	return c.err
}

// markRetrieved records that somebody has seen the outcome. The first
// retrieval of a task's failure takes it off the loop's list of failures
// to report.
func (c *futureCore) markRetrieved() {
	if !c.retrieved.Swap(true) && c.task != nil && (c.err != nil || c.panicked != nil) {
		c.loop.forgetFailure(c.task)
	}
}

// onDone is OnDone of a task or future.
func (c *futureCore) onDone(fn func()) {
	c.mu.Lock()
	if !c.done.Load() {
		c.callbacks = append(c.callbacks, fn)
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.schedule(fn)
}

func (c *futureCore) schedule(fn func()) {
	if c.loop == nil {
		fn()
		return
	}
	c.loop.push(readyItem{fn: fn})
}

// finishLocked records the outcome and tells the waiters. The caller holds
// c.mu and has checked that c is not done; finishLocked unlocks it.
func (c *futureCore) finishLocked(err error, p *PanicError) {
	c.err, c.panicked = err, p
	c.done.Store(true)
	waiters, callbacks, ch := c.waiters, c.callbacks, c.doneCh
	c.waiters, c.callbacks = nil, nil
	c.mu.Unlock()
	if ch != nil {
		close(ch)
	}
	for _, w := range waiters {
		if w.notify != nil {
			w.notify(c)
		} else {
			w.fire()
		}
	}
	for _, fn := range callbacks {
		c.schedule(fn)
	}
}

// wait suspends the task of ctx until c is done, or blocks the calling
// goroutine if ctx belongs to no task. It returns nil once c is done, or the
// wait's error (cancellation, misuse).
//
// Its frame is on the stack of every task waiting for a task or future
// (see Task.main for why that is kept small), so everything before the
// task parks is out of line, in enqueue: the checks, and the append to
// the waiters, which may allocate and so go deep into the runtime.
func (c *futureCore) wait(ctx context.Context) error { return c.waitIn(ctx, waitNone) }

// waitIn is wait that names what the task waits in for a Snapshot, when
// the future stands for something else (a socket); waitNone names it by
// the future.
func (c *futureCore) waitIn(ctx context.Context, what waitKind) error {
	if c.done.Load() {
		return nil
	}
	t, err := c.enqueue(ctx, what)
	if t == nil {
		return err
	}
	for {
		err := t.park(ctx)
		if err == nil {
			// A cancellation that arrived before the task resumed wins
			// over the completion, as in asyncio; the future keeps its
			// result.
			err = waitError(ctx)
		}
		if err != nil {
			c.removeWaiter(t)
			t.waitOn = nil
			return err
		}
		if c.done.Load() {
			t.waitOn = nil
			return nil
		}
	}
}

// enqueue starts wait: it returns the task of ctx, listed as a waiter of
// c, or nil and what wait returns (c done, ctx done, misuse, or the end of
// a wait that blocked a goroutine that is not a task).
//
//go:noinline
func (c *futureCore) enqueue(ctx context.Context, what waitKind) (*taskCore, error) {
	t, err := taskOf(ctx)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, c.block(ctx)
	}
	if &t.futureCore == c {
		return nil, errWaitSelf
	}
	if err := waitError(ctx); err != nil {
		return nil, err
	}
	wk := t.beginWait()
	c.mu.Lock()
	if c.done.Load() {
		c.mu.Unlock()
		return nil, nil
	}
	c.waiters = append(c.waiters, doneWaiter{wake: wk})
	c.mu.Unlock()
	if what == waitNone {
		what = waitFuture
		if c.task != nil {
			what = waitTask
		}
	}
	t.waitingIn, t.waitOn = what, c
	return t, nil
}

var errWaitSelf = errors.New("asyncio: a task cannot wait for itself")

func (c *futureCore) removeWaiter(t *taskCore) {
	c.mu.Lock()
	for i, w := range c.waiters {
		if w.t == t {
			c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
}

// block waits on a goroutine that is not a task.
func (c *futureCore) block(ctx context.Context) error {
	if err := checkBlocking(); err != nil {
		return err
	}
	c.mu.Lock()
	if c.done.Load() {
		c.mu.Unlock()
		return nil
	}
	if c.doneCh == nil {
		c.doneCh = make(chan struct{})
	}
	ch := c.doneCh
	c.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return waitError(ctx)
	}
}

// A Future is a result that will be set later, from the loop or from any
// other goroutine (asyncio.Future and concurrent.futures.Future in one).
// Tasks wait for it with Wait; done-callbacks run on the loop.
//
// Unlike a task, a future is not owned by the loop: a failed future that
// nobody reads is not reported (asyncio logs "Future exception was never
// retrieved" from a finaliser). Whoever made the future holds it.
type Future[T any] struct {
	val T // first: a zero-size last field would be padded to a word
	futureCore
}

// NewFuture returns a pending future whose callbacks run on the loop of ctx.
// With a ctx that belongs to no loop, callbacks run in the goroutine that
// resolves the future.
func NewFuture[T any](ctx context.Context) *Future[T] {
	f := &Future[T]{}
	f.loop = RunningLoop(ctx)
	return f
}

// SetResult resolves the future with v. It is safe from any goroutine.
// Resolving a future twice is a bug and panics, as closing a closed channel
// does; TrySetResult is the form for racing resolvers.
func (f *Future[T]) SetResult(v T) {
	if !f.TrySetResult(v) {
		panic("asyncio: SetResult on a future that is already done")
	}
}

// SetError fails the future with err, which must not be nil. It is safe
// from any goroutine and panics if the future is already done.
func (f *Future[T]) SetError(err error) {
	if !f.TrySetError(err) {
		panic("asyncio: SetError on a future that is already done")
	}
}

// TrySetResult resolves the future with v unless it is done already, and
// reports whether it did.
func (f *Future[T]) TrySetResult(v T) bool {
	f.mu.Lock()
	if f.done.Load() {
		f.mu.Unlock()
		return false
	}
	f.val = v
	f.finishLocked(nil, nil)
	return true
}

// TrySetError fails the future with err unless it is done already, and
// reports whether it did. A nil err panics.
func (f *Future[T]) TrySetError(err error) bool {
	if err == nil {
		panic("asyncio: SetError with a nil error")
	}
	f.mu.Lock()
	if f.done.Load() {
		f.mu.Unlock()
		return false
	}
	f.finishLocked(err, nil)
	return true
}

// Cancel fails the future with context.Canceled unless it is done, and
// reports whether it did.
func (f *Future[T]) Cancel() bool { return f.TrySetError(context.Canceled) }

// Wait waits until the future is done and returns its value and error, or
// returns early with ctx's error when ctx is done first (the future is left
// as it is). From a task it suspends the task; from any other goroutine it
// blocks that goroutine.
func (f *Future[T]) Wait(ctx context.Context) (T, error) {
	if err := f.wait(ctx); err != nil {
		var zero T
		return zero, err
	}
	return f.Result()
}

// waitIn is Wait naming what the task waits in, for a Snapshot.
func (f *Future[T]) waitIn(ctx context.Context, what waitKind) (T, error) {
	if err := f.futureCore.waitIn(ctx, what); err != nil {
		var zero T
		return zero, err
	}
	return f.Result()
}

// Result returns the value and error of a future that is done, or
// ErrNotDone.
func (f *Future[T]) Result() (T, error) {
	if !f.done.Load() {
		var zero T
		return zero, ErrNotDone
	}
	f.markRetrieved()
	return f.val, f.err
}
