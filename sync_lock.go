package asyncio

import (
	"context"
	"sync"
)

// A Lock is a mutual-exclusion lock for tasks (asyncio.Lock). Acquire
// suspends the calling task while another holds the lock; waiters get the
// lock in the order they asked for it, each directly from the one before:
// nobody barges in while others wait. A waiter the lock was handed to
// holds it from then on, though it has not resumed yet: Locked reports
// true, and newcomers wait behind it. If it is cancelled before it
// resumes, it passes the lock on.
//
// A Lock is not tied to a loop or to a task: it works from plain
// goroutines too (Acquire then blocks the goroutine), and any task or
// goroutine may release it. Like asyncio's, it is not reentrant. The zero
// Lock is unlocked and ready to use.
type Lock struct {
	mu      sync.Mutex
	locked  bool
	waiters waitq
	// heldBy is the id of the task that took the lock, 0 for a goroutine
	// that is not a task: a Snapshot follows it to find await cycles.
	heldBy uint64
}

// NewLock returns an unlocked Lock.
func NewLock() *Lock { return &Lock{} }

// Acquire takes the lock, waiting for it as long as it is held or others
// wait for it. It returns nil once the caller holds the lock, or ctx's
// error (the lock not taken). With a ctx that is already done it fails at
// once, even if the lock is free.
func (l *Lock) Acquire(ctx context.Context) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := waitError(ctx); err != nil {
		return err
	}
	if !l.locked && l.waiters.idle() {
		l.locked = true
		l.heldBy = taskID(ctx)
		return nil
	}
	w := waiterFor(ctx, waitLock, l)
	granted, err := l.waiters.wait(ctx, &l.mu, w)
	if err != nil {
		if granted {
			l.handOn()
		}
		return err
	}
	return nil
}

// TryAcquire takes the lock if it is free and nobody waits for it, and
// reports whether it did.
func (l *Lock) TryAcquire() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.locked || !l.waiters.idle() {
		return false
	}
	l.locked = true
	l.heldBy = 0
	return true
}

// Release releases the lock, handing it to the first waiter if there is
// one. Releasing an unlocked Lock is a bug and panics, as it does for
// sync.Mutex.
func (l *Lock) Release() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.locked {
		panic("asyncio: Release of an unlocked Lock")
	}
	l.handOn()
}

// handOn gives the lock to the first waiter, or frees it.
func (l *Lock) handOn() {
	l.heldBy = 0
	if w := l.waiters.first(); w != nil && w.t != nil {
		l.heldBy = w.t.id
	}
	if !l.waiters.grant(nil) {
		l.locked = false
	}
}

// Locked reports whether the lock is held.
func (l *Lock) Locked() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.locked
}

// holder returns the id of the task holding the lock, or 0.
func (l *Lock) holder() uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.locked {
		return 0
	}
	return l.heldBy
}
