package asyncio

import (
	"context"
	"sync"
)

// An Event wakes every task or goroutine waiting for it when it is set
// (asyncio.Event). Set, Clear and IsSet are safe from any goroutine; Wait
// suspends a task or blocks a goroutine. The zero Event is clear and ready
// to use.
type Event struct {
	mu      sync.Mutex
	set     bool
	waiters waitq
}

// NewEvent returns a clear Event.
func NewEvent() *Event { return &Event{} }

// Set sets the event and wakes every waiter. A waiter woken by Set returns
// nil even if the event is cleared before it resumes.
func (e *Event) Set() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.set {
		e.set = true
		e.waiters.grantAll()
	}
}

// Clear clears the event: Wait waits again until the next Set.
func (e *Event) Clear() {
	e.mu.Lock()
	e.set = false
	e.mu.Unlock()
}

// IsSet reports whether the event is set.
func (e *Event) IsSet() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.set
}

// Wait waits until the event is set and returns nil, or returns ctx's
// error. If the event is set already it returns nil at once, without
// looking at ctx.
func (e *Event) Wait(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.set {
		return nil
	}
	w := waiterFor(ctx, waitEvent, nil)
	_, err := e.waiters.wait(ctx, &e.mu, w)
	return err
}
