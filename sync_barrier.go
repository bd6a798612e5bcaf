package asyncio

import (
	"context"
	"errors"
	"fmt"
	"slices"
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
	// The indexes of the callers waiting for the barrier to fill, in order
	// of arrival: one who leaves moves up those behind it, so the indexes
	// of a group that passes are 0..parties-1, each once (asyncio's, taken
	// from a count at arrival, can repeat after a cancellation).
	filling []*int
}

// NewBarrier returns a barrier for n parties. n < 1 panics.
func NewBarrier(n int) *Barrier {
	if n < 1 {
		panic(fmt.Sprintf("asyncio: NewBarrier(%d): need at least one party", n))
	}
	return &Barrier{parties: n}
}

// Wait waits until every party has called Wait and returns the caller's
// arrival index, from 0 to Parties()-1, different for each party of a
// group. It returns ErrBrokenBarrier if the barrier is, or becomes while
// the caller waits, reset or aborted, and ctx's error if ctx ends first; a
// caller that leaves that way no longer counts as arrived.
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
		b.endFilling()
		b.changed.grantAll()
		return index, nil
	}
	b.filling = append(b.filling, &index)
	for b.state == barrierFilling {
		if err := b.waitChange(ctx); err != nil {
			b.unfill(&index)
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
	w := waiterFor(ctx, waitBarrier, nil)
	_, err := b.changed.wait(ctx, &b.mu, w)
	return err
}

// unfill takes the caller with index out of the filling group, if it is
// still in it, and moves up those who arrived after it.
func (b *Barrier) unfill(index *int) {
	if i := slices.Index(b.filling, index); i >= 0 {
		for _, p := range b.filling[i+1:] {
			*p--
		}
		b.filling = slices.Delete(b.filling, i, i+1)
	}
}

// endFilling fixes the indexes of the group: it has passed, or is broken.
func (b *Barrier) endFilling() { b.filling = slices.Delete(b.filling, 0, len(b.filling)) }

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
	b.endFilling()
	b.changed.grantAll()
}

// Abort breaks the barrier: every waiting and future call of Wait returns
// ErrBrokenBarrier, until Reset makes it usable again (as in asyncio).
func (b *Barrier) Abort() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.state = barrierBroken
	b.endFilling()
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
