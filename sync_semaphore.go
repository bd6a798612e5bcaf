package asyncio

import (
	"context"
	"fmt"
	"sync"
)

// A Semaphore holds a number of permits (asyncio.Semaphore). Acquire takes
// one, waiting while there is none; Release returns one. Waiters are served
// in FIFO order by asyncio 3.12's rules: Release hands its permit directly
// to the first waiter, so no permit is created or lost; a waiter handed a
// permit still counts as waiting until it resumes, so a newcomer waits
// behind it (and behind every other waiter) even if a permit is free; and a
// waiter that is cancelled after it was handed a permit passes the permit
// on.
//
// Like Lock, a Semaphore works from tasks and from plain goroutines.
type Semaphore struct {
	mu      sync.Mutex
	value   int
	bound   int // the initial value, for a bounded semaphore; 0 otherwise
	waiters waitq
}

// NewSemaphore returns a semaphore with n permits. A negative n panics.
func NewSemaphore(n int) *Semaphore {
	if n < 0 {
		panic(fmt.Sprintf("asyncio: NewSemaphore(%d): negative count", n))
	}
	return &Semaphore{value: n}
}

// NewBoundedSemaphore returns a semaphore with n permits that panics when
// released more often than acquired (asyncio.BoundedSemaphore, whose
// release raises ValueError): a Release that would take it above n is a
// bug.
func NewBoundedSemaphore(n int) *Semaphore {
	s := NewSemaphore(n)
	s.bound = n
	if n == 0 {
		s.bound = -1 // any Release is one too many
	}
	return s
}

// Acquire takes a permit, waiting for one if none is free or others wait
// before the caller. It returns nil with the permit, or ctx's error without
// it. With a ctx that is already done it fails at once.
func (s *Semaphore) Acquire(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := waitError(ctx); err != nil {
		return err
	}
	if s.value > 0 && s.waiters.idle() {
		s.value--
		return nil
	}
	w := waiterFor(ctx, waitSemaphore, nil)
	granted, err := s.waiters.wait(ctx, &s.mu, w)
	if granted {
		s.handOn()
	}
	// Newcomers that queued behind this waiter while permits were free
	// get them now, in order.
	for s.value > 0 && s.waiters.grant(nil) {
		s.value--
	}
	return err
}

// TryAcquire takes a permit if one is free and nobody waits, not even a
// waiter that was handed a permit and has not resumed yet, and reports
// whether it did.
func (s *Semaphore) TryAcquire() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.value > 0 && s.waiters.idle() {
		s.value--
		return true
	}
	return false
}

// Release returns a permit, handing it to the first waiter if there is one.
func (s *Semaphore) Release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	// The permits held are those neither free nor on their way to a
	// waiter: releasing one needs one held.
	if s.bound < 0 || s.bound > 0 && s.value+s.waiters.inFlight >= s.bound {
		panic("asyncio: BoundedSemaphore released too many times")
	}
	s.handOn()
}

func (s *Semaphore) handOn() {
	if !s.waiters.grant(nil) {
		s.value++
	}
}

// Locked reports whether Acquire would wait: no permit is free, or others
// wait for one, or were handed one and have not resumed yet.
func (s *Semaphore) Locked() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value == 0 || !s.waiters.idle()
}

// Value returns the number of free permits. A permit handed to a waiter
// that has not resumed yet is not free.
func (s *Semaphore) Value() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.value
}
