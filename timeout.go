package asyncio

import (
	"context"
	"math"
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
	ctx     *scope
	parent  context.Context
	loop    *Loop
	when    time.Duration
	timer   *TimerHandle
	wall    *time.Timer // for a scope made outside any task
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
	s.ctx = newScope(ctx, s.loop, owner, true)
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
func (s *TimeoutScope) Expired() bool { return s.expired }

// Reschedule moves the deadline to when (NoDeadline: none). A deadline in
// the past makes the scope expire in the next iteration of the loop.
// Rescheduling a scope that has expired or is closed does nothing.
func (s *TimeoutScope) Reschedule(when time.Duration) {
	if s.expired || s.closed {
		return
	}
	s.when = when
	if s.timer != nil {
		s.timer.Cancel()
		s.timer = nil
	}
	if s.wall != nil {
		s.wall.Stop()
		s.wall = nil
	}
	s.ctx.hasDeadline = false
	if when == NoDeadline {
		return
	}
	if s.loop == nil {
		d := when - time.Duration(time.Now().UnixNano())
		s.ctx.deadline, s.ctx.hasDeadline = time.Now().Add(d), true
		s.wall = time.AfterFunc(d, s.expire)
		return
	}
	if _, real := s.loop.clock.(*RealClock); real {
		// Report the deadline to code that reads ctx.Deadline, such as
		// net/http, in wall-clock terms. A virtual deadline has none.
		s.ctx.deadline = time.Now().Add(when - s.loop.Time())
		s.ctx.hasDeadline = true
	}
	t := &TimerHandle{Handle: Handle{fn: s.expire}}
	s.loop.addTimer(t, when)
	s.timer = t
}

func (s *TimeoutScope) expire() {
	if s.closed {
		return
	}
	s.expired = true
	s.ctx.cancel(context.DeadlineExceeded, nil)
}

// Close ends the region and returns err, the region's outcome, converted:
// if the scope expired and err is a cancellation or deadline error while the
// enclosing ctx is still live, the expiry was the scope's own and Close
// returns ErrTimeout. Close releases the scope's timer; a second Close
// returns err as it is.
func (s *TimeoutScope) Close(err error) error {
	if s.closed {
		return err
	}
	s.closed = true
	if s.timer != nil {
		s.timer.Cancel()
	}
	if s.wall != nil {
		s.wall.Stop()
	}
	s.ctx.cancel(context.Canceled, nil)
	s.ctx.detach()
	if s.expired && err != nil && isCancellation(err) && s.parent.Err() == nil {
		return ErrTimeout
	}
	return err
}
