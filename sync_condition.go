package asyncio

import (
	"context"
	"sync"
)

// A Condition lets tasks wait, holding a Lock, until another task tells
// them something changed (asyncio.Condition, sync.Cond for tasks).
//
// Wait and the Notify methods need the lock held; they panic otherwise, as
// asyncio raises. Wait always takes the lock again before it returns, even
// when it returns a cancellation, so the caller's deferred Release stays
// right. A waiter that was notified but cancelled before it resumed
// notifies another waiter in its place, so no notification is lost. As with
// every condition variable, a woken waiter must check its predicate again:
// WaitFor does that.
type Condition struct {
	lock    *Lock
	mu      sync.Mutex
	waiters waitq
}

// NewCondition returns a condition that uses l, or a new Lock if l is nil.
func NewCondition(l *Lock) *Condition {
	if l == nil {
		l = NewLock()
	}
	return &Condition{lock: l}
}

// Lock returns the condition's lock.
func (c *Condition) Lock() *Lock { return c.lock }

// Acquire acquires the condition's lock.
func (c *Condition) Acquire(ctx context.Context) error { return c.lock.Acquire(ctx) }

// Release releases the condition's lock.
func (c *Condition) Release() { c.lock.Release() }

// Locked reports whether the condition's lock is held.
func (c *Condition) Locked() bool { return c.lock.Locked() }

// Wait releases the lock, waits for a Notify, and takes the lock again. It
// returns nil when notified, or ctx's error; in both cases the caller holds
// the lock again when Wait returns.
func (c *Condition) Wait(ctx context.Context) error {
	if !c.lock.Locked() {
		panic("asyncio: Condition.Wait without holding its lock")
	}
	c.mu.Lock()
	w := waiterFor(ctx, waitCondition, nil)
	if err := c.waiters.enqueue(ctx, w); err != nil {
		c.mu.Unlock()
		return err // the lock was not released
	}
	c.lock.Release()
	granted, err := c.waiters.await(ctx, &c.mu, w)
	if granted {
		c.notifyLocked(1) // cancelled after a Notify: pass it on
	}
	c.mu.Unlock()
	// Take the lock back whatever happened, shielded from cancellation.
	if lerr := c.lock.Acquire(context.WithoutCancel(ctx)); lerr != nil && err == nil {
		err = lerr
	}
	if err == nil {
		// Cancelled while it waited for the lock: the cancellation wins,
		// and the notification this waiter used up goes to another.
		if err = waitError(ctx); err != nil {
			c.mu.Lock()
			c.notifyLocked(1)
			c.mu.Unlock()
		}
	}
	return err
}

// WaitFor waits until pred returns true, calling it with the lock held
// before each wait, and returns nil, or the error of the wait that failed
// (the lock held again in both cases).
func (c *Condition) WaitFor(ctx context.Context, pred func() bool) error {
	for !pred() {
		if err := c.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// Notify wakes up to n waiters, in the order they began to wait.
func (c *Condition) Notify(n int) {
	if !c.lock.Locked() {
		panic("asyncio: Condition.Notify without holding its lock")
	}
	c.mu.Lock()
	c.notifyLocked(n)
	c.mu.Unlock()
}

// NotifyAll wakes every waiter.
func (c *Condition) NotifyAll() {
	if !c.lock.Locked() {
		panic("asyncio: Condition.NotifyAll without holding its lock")
	}
	c.mu.Lock()
	c.waiters.grantAll()
	c.mu.Unlock()
}

func (c *Condition) notifyLocked(n int) {
	for ; n > 0 && c.waiters.grant(nil); n-- {
	}
}
