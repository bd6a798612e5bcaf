package asyncio

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"
)

// NoDeadline is the deadline of a timeout scope that never expires
// (asyncio's timeout(None)).
const NoDeadline = time.Duration(math.MaxInt64)

// A TimeoutScope bounds the time a region of a task may take (asyncio's
// Timeout, made by timeout() and timeout_at()). The region runs with the
// scope's ctx, which ends when the deadline passes: from then on every wait
// in the region returns an error satisfying
// errors.Is(err, context.DeadlineExceeded). Close ends the region and turns
// the error of its own expiry, and only that, into ErrTimeout: a
// cancellation of the enclosing task, or the expiry of an enclosing scope,
// goes through unchanged.
//
// Timeout and WaitFor wrap the common case; NewTimeout and Close are for a
// region that needs When, Reschedule or Expired. A scope is used by the task
// that made it.
type TimeoutScope struct {
	ctx    *scope
	own    scope // what ctx points to: one allocation less per scope
	parent context.Context
	loop   *Loop
	when   time.Duration
	timer  *TimerHandle
	soon   *Handle     // the expiry of a deadline already past
	wall   *time.Timer // for a scope made outside any task

	// mu guards expired and closed, which the wall-clock timer of a scope
	// made outside any task sets from its own goroutine.
	mu      sync.Mutex
	expired bool
	closed  bool
}

// Timeout runs fn with a ctx that expires d from now on the loop's clock,
// and returns fn's error, or ErrTimeout if the scope's own expiry ended fn
// (asyncio's "async with timeout(d)").
func Timeout(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	s := NewTimeout(ctx, d)
	return s.Close(fn(s.Context()))
}

// TimeoutAt is Timeout with an absolute deadline on the loop's clock
// (asyncio's timeout_at).
func TimeoutAt(ctx context.Context, when time.Duration, fn func(context.Context) error) error {
	s := NewTimeoutAt(ctx, when)
	return s.Close(fn(s.Context()))
}

// WaitFor runs fn in the calling task with a timeout of d and returns its
// result, or ErrTimeout if the timeout ended it (asyncio.wait_for in Python
// 3.12 and later: no new task is made). A d ≤ 0 means the deadline has
// already passed: fn runs until its first wait, which fails.
func WaitFor[T any](ctx context.Context, d time.Duration, fn func(context.Context) (T, error)) (T, error) {
	s := NewTimeout(ctx, d)
	v, err := fn(s.Context())
	return v, s.Close(err)
}

// NewTimeout opens a timeout scope that expires d from now on the loop's
// clock (d = NoDeadline: never). Use its Context for the region and call
// Close at the end. With a ctx that belongs to no task, the deadline runs on
// the real clock.
func NewTimeout(ctx context.Context, d time.Duration) *TimeoutScope {
	when := NoDeadline
	if d != NoDeadline {
		when = nowOf(ctx) + d
	}
	return NewTimeoutAt(ctx, when)
}

// NewTimeoutAt opens a timeout scope that expires when the loop's clock
// reaches when (NoDeadline: never).
func NewTimeoutAt(ctx context.Context, when time.Duration) *TimeoutScope {
	s := &TimeoutScope{parent: ctx, loop: RunningLoop(ctx)}
	var owner *taskCore
	if p := scopeOf(ctx); p != nil {
		owner = p.owner
	}
	s.ctx = &s.own
	s.ctx.init(ctx, s.loop, owner, true)
	s.Reschedule(when)
	return s
}

func nowOf(ctx context.Context) time.Duration {
	if l := RunningLoop(ctx); l != nil {
		return l.Time()
	}
	return time.Duration(time.Now().UnixNano())
}

// Context returns the ctx of the region the scope bounds.
func (s *TimeoutScope) Context() context.Context { return s.ctx }

// When returns the scope's deadline on the loop's clock, or NoDeadline.
func (s *TimeoutScope) When() time.Duration { return s.when }

// Expired reports whether the scope's deadline passed while it was open.
func (s *TimeoutScope) Expired() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.expired
}

// Reschedule moves the deadline to when (NoDeadline: none). A deadline
// that is not in the future makes the scope expire before anything that
// becomes ready after the call, as asyncio's call_soon does: the region's
// next wait that suspends fails, even a Sleep(ctx, 0). Outside any task it
// expires at once. Rescheduling a scope that has expired or is closed does
// nothing.
func (s *TimeoutScope) Reschedule(when time.Duration) {
	s.mu.Lock()
	stop := s.expired || s.closed
	s.mu.Unlock()
	if stop {
		return
	}
	s.when = when
	if s.timer != nil {
		s.timer.Cancel()
		s.timer = nil
	}
	if s.soon != nil {
		s.soon.Cancel()
		s.soon = nil
	}
	if s.wall != nil {
		s.wall.Stop()
		s.wall = nil
	}
	// ctx.Deadline reports the parent's deadline unless this one is
	// earlier, as for context.WithDeadline.
	pd, pok := s.parent.Deadline()
	s.ctx.deadline, s.ctx.hasDeadline = pd, pok
	setDeadline := func(d time.Time) {
		if !pok || d.Before(pd) {
			s.ctx.deadline, s.ctx.hasDeadline = d, true
		}
	}
	if when == NoDeadline {
		return
	}
	if s.loop == nil {
		d := when - time.Duration(time.Now().UnixNano())
		setDeadline(time.Now().Add(d))
		if d <= 0 {
			s.expire()
			return
		}
		s.wall = time.AfterFunc(d, s.expire)
		return
	}
	if _, real := s.loop.clock.(*RealClock); real {
		// Report the deadline to code that reads ctx.Deadline, such as
		// net/http, in wall-clock terms. A virtual deadline has none.
		setDeadline(time.Now().Add(when - s.loop.Time()))
	}
	if when <= s.loop.Time() {
		// Already past: expire through the ready queue, as asyncio's
		// call_soon of the timeout, so the expiry runs before anything
		// that becomes ready after this call, such as the region's first
		// suspension. (Expiring right here, in the owner's own step,
		// would also push a wake-up for the owner that nothing waits for
		// yet.)
		s.soon = s.loop.CallSoonThreadsafe(s.expire)
		return
	}
	t := &TimerHandle{Handle: Handle{fn: s.expire}}
	s.loop.addTimer(t, when)
	s.timer = t
}

func (s *TimeoutScope) expire() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.expired = true
	s.mu.Unlock()
	s.ctx.cancel(context.DeadlineExceeded, nil)
}

// Close ends the region and returns err, the region's outcome, converted:
// if the scope expired and err is a cancellation or deadline error while the
// enclosing ctx is still live, the expiry was the scope's own and Close
// returns ErrTimeout. If the enclosing ctx ended too, after the expiry,
// Close returns the enclosing ctx's error: an outer cancellation always
// passes through. Close releases the scope's timer; a second Close
// returns err as it is.
func (s *TimeoutScope) Close(err error) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return err
	}
	s.closed = true
	expired := s.expired
	s.mu.Unlock()
	if t := s.timer; t != nil {
		t.Cancel()
		// The loop drops a cancelled timer lazily (see purgeTimers):
		// until then the timer would pin the scope, and through it the
		// task and its ctx, long after the region is done. It can let go
		// of its callback when the loop is not running, which is so when
		// the closer is the loop's running task, as it usually is.
		if o := s.ctx.owner; o != nil && s.loop.current.Load() == o {
			t.fn = nil
		}
	}
	if s.soon != nil {
		s.soon.Cancel()
	}
	if s.wall != nil {
		s.wall.Stop()
	}
	s.ctx.release()
	s.ctx.detach()
	if expired && err != nil && isCancellation(err) {
		perr := s.parent.Err()
		if perr == nil {
			return ErrTimeout
		}
		if !errors.Is(err, perr) {
			// The region saw the expiry, but the enclosing ctx was
			// cancelled since: that cancellation is the outcome.
			return waitError(s.parent)
		}
	}
	return err
}
