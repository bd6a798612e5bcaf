package patterns

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"

	"github.com/asyncio-go/asyncio"
)

// Errors of CapacityLimiter.
var (
	// ErrAlreadyBorrowing is returned when a borrower that holds a token
	// of a CapacityLimiter, or waits for one, asks for another: a
	// limiter lends one token per borrower (anyio raises RuntimeError).
	ErrAlreadyBorrowing = errors.New("patterns: borrower already holds or waits for a token of this limiter")
	// ErrWouldBlock is returned by the Try forms when they would have to
	// wait (anyio's WouldBlock).
	ErrWouldBlock = errors.New("patterns: operation would block")
)

// A CapacityLimiter lends a limited number of tokens and remembers who
// borrowed each (anyio's and trio's CapacityLimiter). Unlike a Semaphore it
// knows its borrowers: a borrower cannot take a second token, which would
// deadlock a semaphore under a task that re-enters a limited region; only a
// borrower can give a token back; and Statistics names the borrowers, so a
// hung program shows who holds the capacity.
//
// The borrower is the calling task for Acquire and Release, or any
// comparable value for AcquireOnBehalfOf and ReleaseOnBehalfOf, such as a
// worker goroutine's id.
//
// Waiters are served in FIFO order: a newcomer waits behind the waiters even
// if a token is free, and a token given back goes directly to the first
// waiter. A waiter cancelled after it was handed a token passes the token on,
// so no token is created or lost. The total can change at any time with
// SetTotalTokens.
//
// A CapacityLimiter works from tasks and from plain goroutines.
type CapacityLimiter struct {
	mu        sync.Mutex
	total     int
	borrowers map[any]uint64 // borrower → order of borrowing
	seq       uint64
	waiters   waitQueue[struct{}]
}

// CapacityStatistics describes a CapacityLimiter at one moment (anyio's
// CapacityLimiterStatistics).
type CapacityStatistics struct {
	// Borrowed is the number of tokens lent.
	Borrowed int
	// Total is the number of tokens the limiter lends at most.
	Total int
	// Borrowers holds the borrowers, in the order they got their token.
	Borrowers []any
	// Waiting is the number of borrowers waiting for a token.
	Waiting int
}

// NewCapacityLimiter returns a limiter that lends at most total tokens at a
// time. A total below 1 panics.
func NewCapacityLimiter(total int) *CapacityLimiter {
	checkTotal(total)
	return &CapacityLimiter{total: total, borrowers: make(map[any]uint64)}
}

func checkTotal(total int) {
	if total < 1 {
		panic(fmt.Sprintf("patterns: CapacityLimiter total of %d tokens, need at least 1", total))
	}
}

// Acquire borrows a token for the task of ctx, waiting while none is free
// or others wait before it. It returns nil with the token, ctx's error
// without it, ErrAlreadyBorrowing if the task holds a token already, or
// asyncio.ErrNoTask if ctx belongs to no task (a goroutine borrows with
// AcquireOnBehalfOf).
func (l *CapacityLimiter) Acquire(ctx context.Context) error {
	t := asyncio.CurrentTask(ctx)
	if t == nil {
		return fmt.Errorf("patterns: CapacityLimiter.Acquire: %w; use AcquireOnBehalfOf", asyncio.ErrNoTask)
	}
	return l.AcquireOnBehalfOf(ctx, t)
}

// AcquireOnBehalfOf borrows a token for borrower, which must be a comparable
// value, waiting as Acquire does. It returns ErrAlreadyBorrowing if borrower
// holds a token or waits for one already.
func (l *CapacityLimiter) AcquireOnBehalfOf(ctx context.Context, borrower any) error {
	checkBorrower(borrower)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if err := l.checkNewLocked(borrower); err != nil {
		return err
	}
	if l.waiters.len() == 0 && len(l.borrowers) < l.total {
		l.lendLocked(borrower)
		return nil
	}
	e := l.waiters.push(ctx, borrower)
	_, handOn, err := l.waiters.wait(ctx, &l.mu, e)
	if err != nil {
		if handOn {
			l.returnLocked(borrower)
		}
		return err
	}
	return nil
}

// TryAcquire borrows a token for the task of ctx if one is free and nobody
// waits, or returns ErrWouldBlock (or ErrAlreadyBorrowing, or
// asyncio.ErrNoTask as Acquire does).
func (l *CapacityLimiter) TryAcquire(ctx context.Context) error {
	t := asyncio.CurrentTask(ctx)
	if t == nil {
		return fmt.Errorf("patterns: CapacityLimiter.TryAcquire: %w; use TryAcquireOnBehalfOf", asyncio.ErrNoTask)
	}
	return l.TryAcquireOnBehalfOf(t)
}

// TryAcquireOnBehalfOf borrows a token for borrower if one is free and
// nobody waits, or returns ErrWouldBlock (or ErrAlreadyBorrowing).
func (l *CapacityLimiter) TryAcquireOnBehalfOf(borrower any) error {
	checkBorrower(borrower)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.checkNewLocked(borrower); err != nil {
		return err
	}
	if l.waiters.len() > 0 || len(l.borrowers) >= l.total {
		return ErrWouldBlock
	}
	l.lendLocked(borrower)
	return nil
}

// Release gives back the token of the task of ctx, handing it to the first
// waiter if there is one. Releasing a token the task does not hold is a bug
// and panics, as unlocking an unlocked sync.Mutex does.
func (l *CapacityLimiter) Release(ctx context.Context) {
	t := asyncio.CurrentTask(ctx)
	if t == nil {
		panic("patterns: CapacityLimiter.Release needs the ctx of the task that borrowed; use ReleaseOnBehalfOf")
	}
	l.ReleaseOnBehalfOf(t)
}

// ReleaseOnBehalfOf gives back borrower's token, handing it to the first
// waiter if there is one. It panics if borrower holds no token.
func (l *CapacityLimiter) ReleaseOnBehalfOf(borrower any) {
	checkBorrower(borrower)
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.borrowers[borrower]; !ok {
		panic(fmt.Sprintf("patterns: CapacityLimiter released by %v, which holds no token", borrower))
	}
	l.returnLocked(borrower)
}

// SetTotalTokens changes the number of tokens the limiter lends. Growing it
// hands the new tokens to waiters at once, in FIFO order; shrinking it takes
// nothing back from the borrowers, but lends no token until fewer than total
// are out. A total below 1 panics.
func (l *CapacityLimiter) SetTotalTokens(total int) {
	checkTotal(total)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.total = total
	l.serveLocked()
}

// TotalTokens returns the number of tokens the limiter lends at most.
func (l *CapacityLimiter) TotalTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// BorrowedTokens returns the number of tokens lent.
func (l *CapacityLimiter) BorrowedTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.borrowers)
}

// AvailableTokens returns the number of tokens free to lend: zero when
// more are lent than the total allows after a shrink.
func (l *CapacityLimiter) AvailableTokens() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return max(l.total-len(l.borrowers), 0)
}

// Statistics returns the limiter's state.
func (l *CapacityLimiter) Statistics() CapacityStatistics {
	l.mu.Lock()
	defer l.mu.Unlock()
	bs := make([]any, 0, len(l.borrowers))
	for b := range l.borrowers {
		bs = append(bs, b)
	}
	slices.SortFunc(bs, func(a, b any) int { return cmp.Compare(l.borrowers[a], l.borrowers[b]) })
	return CapacityStatistics{Borrowed: len(l.borrowers), Total: l.total, Borrowers: bs, Waiting: l.waiters.len()}
}

func (l *CapacityLimiter) checkNewLocked(borrower any) error {
	if _, ok := l.borrowers[borrower]; ok {
		return ErrAlreadyBorrowing
	}
	for e := l.waiters.first(); e != nil; e = e.next {
		if e.tag == borrower {
			return ErrAlreadyBorrowing
		}
	}
	return nil
}

func (l *CapacityLimiter) lendLocked(borrower any) {
	l.seq++
	l.borrowers[borrower] = l.seq
}

// returnLocked takes borrower's token back and lends what is free.
func (l *CapacityLimiter) returnLocked(borrower any) {
	delete(l.borrowers, borrower)
	l.serveLocked()
}

// serveLocked lends free tokens to the waiters, first come first served.
// The token is the waiter's from the moment it is handed over.
func (l *CapacityLimiter) serveLocked() {
	for len(l.borrowers) < l.total {
		e := l.waiters.grant(struct{}{})
		if e == nil {
			return
		}
		l.lendLocked(e.tag)
	}
}

func checkBorrower(b any) {
	if b == nil {
		panic("patterns: CapacityLimiter borrower is nil")
	}
	if !reflect.TypeOf(b).Comparable() {
		panic(fmt.Sprintf("patterns: CapacityLimiter borrower of type %T is not comparable", b))
	}
}
