package patterns

import (
	"context"
	"sync"

	"github.com/asyncio-go/asyncio"
)

// waitQueue is the FIFO of waiters every pattern is built on, made of the
// exported API only: each waiter waits on a future of its own, which the
// pattern resolves to hand it a value (grant) or fails to turn it away
// (fail). The future settles the race between a grant and the waiter's
// cancellation: the waiter withdraws with TrySetError, which fails if a
// grant came first; the waiter then knows it was given something and
// passes it on.
//
// A waitQueue is guarded by its pattern's mutex, which wait releases while
// the waiter is suspended.
type waitQueue[T any] struct {
	head, tail *waitEntry[T]
	n          int
}

// A waitEntry is one waiter.
type waitEntry[T any] struct {
	prev, next *waitEntry[T]
	queued     bool
	fut        *asyncio.Future[T]
	tag        any // the pattern's own use: a borrower, a subscriber
}

func (q *waitQueue[T]) len() int { return q.n }

func (q *waitQueue[T]) first() *waitEntry[T] { return q.head }

// push queues a new waiter for ctx at the back.
func (q *waitQueue[T]) push(ctx context.Context, tag any) *waitEntry[T] {
	e := &waitEntry[T]{fut: asyncio.NewFuture[T](ctx), tag: tag, queued: true}
	e.prev = q.tail
	if q.tail != nil {
		q.tail.next = e
	} else {
		q.head = e
	}
	q.tail = e
	q.n++
	return e
}

func (q *waitQueue[T]) remove(e *waitEntry[T]) {
	if !e.queued {
		return
	}
	if e.prev != nil {
		e.prev.next = e.next
	} else {
		q.head = e.next
	}
	if e.next != nil {
		e.next.prev = e.prev
	} else {
		q.tail = e.prev
	}
	e.prev, e.next, e.queued = nil, nil, false
	q.n--
}

// grant hands v to the first waiter and wakes it. It returns the waiter's
// entry, or nil if nobody waits.
func (q *waitQueue[T]) grant(v T) *waitEntry[T] {
	for e := q.head; e != nil; e = q.head {
		q.remove(e)
		if e.fut.TrySetResult(v) {
			return e
		}
		// The waiter withdrew already; it only has to take the mutex
		// to leave, and it is out of the queue now.
	}
	return nil
}

// fail turns every waiter away with err.
func (q *waitQueue[T]) fail(err error) {
	for e := q.head; e != nil; e = q.head {
		q.remove(e)
		e.fut.TrySetError(err)
	}
}

// wait suspends the caller until e is granted or failed, or until ctx ends.
// mu is held on entry and on return, and released while waiting. It
// returns the value granted, or an error; handOn reports that a value was
// granted but the wait failed anyway (ctx ended before the waiter
// resumed): the caller must then pass v on.
func (q *waitQueue[T]) wait(ctx context.Context, mu sync.Locker, e *waitEntry[T]) (v T, handOn bool, err error) {
	mu.Unlock()
	v, err = e.fut.Wait(ctx)
	mu.Lock()
	if err == nil {
		return v, false, nil
	}
	if e.fut.TrySetError(err) {
		q.remove(e) // withdrew before anything was handed over
		var zero T
		return zero, false, err
	}
	gv, gerr := e.fut.Result()
	if gerr != nil {
		return gv, false, err // turned away by fail
	}
	return gv, true, err
}

// ctxErr is the error a wait returns for a ctx that is done, nil if it is
// not: ctx's error, or an *asyncio.CancelledError carrying the cause given
// to Task.CancelCause, as the waits of package asyncio return.
func ctxErr(ctx context.Context) error {
	err := ctx.Err()
	if err == nil {
		return nil
	}
	if cause := asyncio.Cause(ctx); cause != nil && cause != err && err == context.Canceled {
		return &asyncio.CancelledError{Cause: cause}
	}
	return err
}

// loopOf returns the loop of ctx's task, or panics naming who needs it.
func loopOf(ctx context.Context, who string) *asyncio.Loop {
	l := asyncio.RunningLoop(ctx)
	if l == nil {
		panic("patterns: " + who + " needs the ctx of a task running on a loop")
	}
	return l
}
