package asyncio

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// ErrBrokenBarrier is returned by Barrier.Wait when the barrier is reset or
// aborted while the caller waits, or was aborted before
// (asyncio.BrokenBarrierError).
var ErrBrokenBarrier = errors.New("asyncio: barrier is broken")

type barrierState int

const (
	barrierFilling barrierState = iota
	barrierDraining
	barrierResetting
	barrierBroken
)

// A Barrier lets a fixed number of tasks wait until all of them have
// arrived (asyncio.Barrier). It is reusable: once every party has passed,
// it fills again. Like the other primitives it works from tasks and plain
// goroutines.
type Barrier struct {
	mu      sync.Mutex
	parties int
	count   int // callers inside Wait
	state   barrierState
	changed waitq // woken at every change of state
}

// NewBarrier returns a barrier for n parties. n < 1 panics.
func NewBarrier(n int) *Barrier {
	if n < 1 {
		panic(fmt.Sprintf("asyncio: NewBarrier(%d): need at least one party", n))
	}
	return &Barrier{parties: n}
}

// Wait waits until every party has called Wait and returns the caller's
// arrival index, from 0 to Parties()-1. It returns ErrBrokenBarrier if the
// barrier is, or becomes while the caller waits, reset or aborted, and
// ctx's error if ctx ends first; a caller that leaves that way no longer
// counts as arrived.
func (b *Barrier) Wait(ctx context.Context) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	// A barrier that is letting the previous group out, or resetting,
	// holds newcomers back until it fills again.
	for b.state == barrierDraining || b.state == barrierResetting {
		if err := b.waitChange(ctx); err != nil {
			return 0, err
		}
	}
	if b.state == barrierBroken {
		return 0, ErrBrokenBarrier
	}
	if err := waitError(ctx); err != nil {
		return 0, err
	}
	index := b.count
	b.count++
	defer b.leave()
	if b.count == b.parties {
		b.state = barrierDraining
		b.changed.grantAll()
		return index, nil
	}
	for b.state == barrierFilling {
		if err := b.waitChange(ctx); err != nil {
			return 0, err
		}
	}
	if b.state == barrierBroken || b.state == barrierResetting {
		return 0, ErrBrokenBarrier
	}
	return index, nil
}

// waitChange waits for the next change of state; b.mu is held.
func (b *Barrier) waitChange(ctx context.Context) error {
	var w waiter
	_, err := b.changed.wait(ctx, &b.mu, &w)
	return err
}

// leave is a caller's exit from Wait: the last one out of a drain or a
// reset lets the barrier fill again.
func (b *Barrier) leave() {
	b.count--
	if b.count == 0 {
		if b.state == barrierDraining || b.state == barrierResetting {
			b.state = barrierFilling
		}
		b.changed.grantAll()
	}
}

// Reset returns the barrier to its empty state: callers waiting in it get
// ErrBrokenBarrier, and new callers wait until they have left.
func (b *Barrier) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.count > 0 {
		b.state = barrierResetting
	} else {
		b.state = barrierFilling
	}
	b.changed.grantAll()
}

// Abort breaks the barrier for good: every waiting and future call of
// Wait returns ErrBrokenBarrier.
func (b *Barrier) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state = barrierBroken
	b.changed.grantAll()
}

// Parties returns the number of parties the barrier waits for.
func (b *Barrier) Parties() int { return b.parties }

// Waiting returns the number of callers waiting for the barrier to fill.
func (b *Barrier) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.state == barrierFilling {
		return b.count
	}
	return 0
}

// Broken reports whether the barrier was aborted.
func (b *Barrier) Broken() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.state == barrierBroken
}
