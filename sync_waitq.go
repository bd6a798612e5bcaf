package asyncio

import (
	"context"
	"sync"
	"unsafe"
)

// waitq is the FIFO of waiters that every coordination primitive (Lock,
// Semaphore, Event, Condition, Barrier, Queue) is built on. A waiter is a
// task, which is suspended, or a goroutine that is not a task, which is
// blocked on a channel: one rule for both, so a queue or an event bridges
// loop code and ordinary Go code.
//
// The primitive decides who gets what it hands out and hands it over
// directly: grant removes the first waiter, marks it granted (with a value,
// for a queue's item) and wakes it. Nobody can barge in between the grant
// and the waiter's resumption. If the waiter's ctx ends before it resumes,
// the cancellation wins, as everywhere in this package, and wait reports
// that the waiter had been granted so the primitive passes on what it was
// given: that is how a cancelled waiter wakes the next one, with no lost
// wakeup.
//
// A granted waiter leaves the list at once but still counts until it has
// resumed (asyncio 3.12 keeps it in its deque until then): idle is false
// while a grant is on its way, so a primitive holds newcomers back behind
// it, and what the waiter was handed is not counted as free meanwhile.
//
// A waitq is guarded by its primitive's mutex.
type waitq struct {
	list     list[waiter]
	inFlight int // granted waiters that have not resumed yet
}

type waiter struct {
	node links[waiter] // first: see links

	wake               // a task, suspended: the wake a grant fires
	ch   chan struct{} // or a goroutine, blocked on this (buffered 1)

	granted bool
	val     any // what a grant carried, for a queue
}

// The links of a waiter are its first field.
var _ [0]struct{} = [unsafe.Offsetof(waiter{}.node)]struct{}{}

// waiterFor returns a waiter for a wait with ctx: the running task's own,
// reused, since a task waits for one thing at a time, or a new one for a
// goroutine that is not a task. Reuse saves an allocation per contended
// wait. what names the wait, for the report of a deadlock, and on is what
// holds it up, if a Snapshot can tell who holds that (a *Lock).
func waiterFor(ctx context.Context, what waitKind, on any) *waiter {
	if s := scopeOf(ctx); s != nil && s.owner != nil && s.owner.loop.current.Load() == s.owner {
		t := s.owner
		t.waitingIn, t.waitOn = what, on
		if t.qw == nil {
			t.qw = new(waiter)
		} else {
			*t.qw = waiter{}
		}
		return t.qw
	}
	return new(waiter)
}

// waiting reports whether anybody waits for a grant.
func (q *waitq) waiting() bool { return q.list.front() != nil }

// idle reports whether nobody waits and no grant is on its way: only then
// may a newcomer take what the primitive has without waiting.
func (q *waitq) idle() bool { return q.list.front() == nil && q.inFlight == 0 }

// first returns the waiter a grant would go to, or nil.
func (q *waitq) first() *waiter { return q.list.front() }

func (q *waitq) push(w *waiter) { q.list.pushBack(w) }

func (q *waitq) remove(w *waiter) { q.list.remove(w) }

// grant hands v to the first waiter and wakes it. It reports false if
// nobody waits.
func (q *waitq) grant(v any) bool {
	w := q.list.popFront()
	if w == nil {
		return false
	}
	q.inFlight++
	w.granted, w.val = true, v
	if w.t != nil {
		w.fire()
	} else {
		w.ch <- struct{}{}
	}
	return true
}

// grantAll grants every waiter, as Event.Set does.
func (q *waitq) grantAll() {
	for q.grant(nil) {
	}
}

// wait queues w and waits until it is granted or ctx is done. mu is held
// on entry and on return; it is released while waiting. It returns nil if w
// was granted. Otherwise it returns the wait's error, with w out of the
// queue, and granted reports whether a grant arrived that the cancellation
// overrode: the primitive must then pass on what w was given.
func (q *waitq) wait(ctx context.Context, mu *sync.Mutex, w *waiter) (granted bool, err error) {
	if err := q.enqueue(ctx, w); err != nil {
		return false, err
	}
	return q.await(ctx, mu, w)
}

// enqueue checks ctx and queues w for the task of ctx, or for the calling
// goroutine if ctx belongs to no task. Condition.Wait enqueues before it
// releases its lock, so that no Notify can slip in between.
func (q *waitq) enqueue(ctx context.Context, w *waiter) error {
	t, err := taskOf(ctx)
	if err != nil {
		return err
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	if t != nil {
		w.wake = t.beginWait()
	} else {
		if err := checkBlocking(); err != nil {
			return err
		}
		w.ch = make(chan struct{}, 1)
	}
	q.push(w)
	return nil
}

// await waits for a queued w; see wait.
func (q *waitq) await(ctx context.Context, mu *sync.Mutex, w *waiter) (granted bool, err error) {
	if w.t == nil {
		mu.Unlock()
		select {
		case <-w.ch:
			mu.Lock()
			q.resumed(w)
			return false, nil
		case <-ctx.Done():
			mu.Lock()
			q.remove(w)
			return q.resumed(w), waitError(ctx)
		}
	}
	t := w.t
	for {
		mu.Unlock()
		perr := t.park(ctx)
		mu.Lock()
		if perr == nil {
			perr = waitError(ctx)
		}
		if perr != nil {
			q.remove(w)
			return q.resumed(w), perr
		}
		if w.granted {
			q.resumed(w)
			return false, nil
		}
	}
}

// resumed notes that w, out of the queue, is back in its primitive's
// hands, and reports whether it had been granted.
func (q *waitq) resumed(w *waiter) bool {
	if w.granted {
		q.inFlight--
	}
	return w.granted
}
