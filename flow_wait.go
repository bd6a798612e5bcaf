package asyncio

import (
	"context"
	"errors"
	"iter"
	"sync"
)

// ReturnWhen says when Wait returns.
type ReturnWhen int

const (
	// AllCompleted makes Wait return when every awaitable is done.
	AllCompleted ReturnWhen = iota
	// FirstCompleted makes Wait return when any awaitable is done.
	FirstCompleted
	// FirstError makes Wait return when any awaitable fails (a cancellation
	// does not count; a timeout, ErrTimeout, does), or when all are done
	// (asyncio's FIRST_EXCEPTION).
	FirstError
)

// ErrNothingToWait is returned by Wait given no awaitables.
var ErrNothingToWait = errors.New("asyncio: Wait with no awaitables")

// Wait waits for the awaitables until the when condition holds and returns
// them split into done and pending, each in argument order (asyncio.wait).
// Nothing is cancelled: pending ones run on. If ctx ends first, Wait
// returns the split at that moment with ctx's error, so a timeout is
// written with a timeout scope around the call.
func Wait[A Awaitable](ctx context.Context, aws []A, when ReturnWhen) (done, pending []A, err error) {
	if len(aws) == 0 {
		return nil, nil, ErrNothingToWait
	}
	satisfied := func() bool {
		all := true
		for _, a := range aws {
			c := a.core()
			if !c.isDone() {
				all = false
				continue
			}
			switch when {
			case FirstCompleted:
				return true
			case FirstError:
				// A timeout is a failure (asyncio's TimeoutError is an
				// exception); only a cancellation is not.
				if f := c.failure(); f != nil && (c.panicked != nil || !errors.Is(f, context.Canceled)) {
					return true
				}
			}
		}
		return all
	}
	split := func() {
		for _, a := range aws {
			if a.core().isDone() {
				done = append(done, a)
			} else {
				pending = append(pending, a)
			}
		}
	}
	if !satisfied() {
		w := newMultiWait(ctx)
		for _, a := range aws {
			w.add(a.core())
		}
		for !satisfied() {
			if err = w.next(); err != nil {
				break
			}
		}
		w.close()
	}
	split()
	return done, pending, err
}

// AsCompleted yields the awaitables in the order they finish
// (asyncio.as_completed). An awaitable listed more than once is yielded
// once, as asyncio's set of them does. If ctx ends first, it yields the
// zero A with ctx's error and stops; the awaitables left are not
// cancelled.
func AsCompleted[A Awaitable](ctx context.Context, aws []A) iter.Seq2[A, error] {
	return func(yield func(A, error) bool) {
		index := make(map[*futureCore]int, len(aws))
		w := newMultiWait(ctx)
		defer w.close()
		for i, a := range aws {
			if _, dup := index[a.core()]; dup {
				continue
			}
			index[a.core()] = i
			w.add(a.core())
		}
		for range index {
			c, err := w.nextDone()
			if err != nil {
				var zero A
				yield(zero, err)
				return
			}
			if !yield(aws[index[c]], nil) {
				return
			}
		}
	}
}

// multiWait waits for several futures at once and hands them out in the
// order they finished.
type multiWait struct {
	ctx     context.Context
	t       *taskCore // nil for a goroutine that is not a task
	err     error
	watched []*futureCore

	mu      sync.Mutex
	arrived []*futureCore // finished, not yet handed out
	wake    wake          // the wait of t that an arrival ends
	signal  chan struct{} // wakes a goroutine that is not a task
}

func newMultiWait(ctx context.Context) *multiWait {
	w := &multiWait{ctx: ctx}
	w.t, w.err = taskOf(ctx)
	if w.err == nil && w.t == nil {
		w.err = checkBlocking()
		w.signal = make(chan struct{}, 1)
	}
	return w
}

// add watches c.
func (w *multiWait) add(c *futureCore) {
	w.watched = append(w.watched, c)
	c.mu.Lock()
	if c.done.Load() {
		c.mu.Unlock()
		w.mu.Lock()
		w.arrived = append(w.arrived, c)
		w.mu.Unlock()
		return
	}
	c.waiters = append(c.waiters, doneWaiter{notify: w.notify, owner: w})
	c.mu.Unlock()
}

// notify runs in whatever goroutine finished c.
func (w *multiWait) notify(c *futureCore) {
	w.mu.Lock()
	w.arrived = append(w.arrived, c)
	wk := w.wake
	w.mu.Unlock()
	if wk.t != nil {
		wk.fire()
		return
	}
	select {
	case w.signal <- struct{}{}:
	default:
	}
}

// next waits for one more future to finish.
func (w *multiWait) next() error {
	_, err := w.nextDone()
	return err
}

// nextDone waits for the next future to finish and returns it.
func (w *multiWait) nextDone() (*futureCore, error) {
	if w.err != nil {
		return nil, w.err
	}
	for {
		w.mu.Lock()
		if len(w.arrived) > 0 {
			c := w.arrived[0]
			w.arrived = w.arrived[1:]
			w.mu.Unlock()
			return c, nil
		}
		if w.t != nil {
			w.wake = w.t.beginWait()
		}
		w.mu.Unlock()
		if err := waitError(w.ctx); err != nil {
			return nil, err
		}
		if w.t == nil {
			select {
			case <-w.signal:
			case <-w.ctx.Done():
				return nil, waitError(w.ctx)
			}
			continue
		}
		w.t.waitingIn, w.t.waitOn = waitWait, nil
		if err := w.t.park(w.ctx); err != nil {
			return nil, err
		}
		// A cancellation that came with an arrival wins, as in every
		// wait; the arrival stays for a later call.
		if err := waitError(w.ctx); err != nil {
			return nil, err
		}
	}
}

// close stops watching.
func (w *multiWait) close() {
	for _, c := range w.watched {
		c.mu.Lock()
		for i := 0; i < len(c.waiters); i++ {
			if c.waiters[i].owner == w {
				c.waiters = append(c.waiters[:i], c.waiters[i+1:]...)
				i--
			}
		}
		c.mu.Unlock()
	}
}
