package patterns

import (
	"context"
	"errors"
	"iter"
)

type subState int

const (
	subOpen subState = iota
	subEnded
	subDisconnected
	subClosed
)

// A Subscription receives the values of a Broadcast, in the order they were
// published. Recv takes one, All iterates over them, Close ends the
// subscription. Several tasks may receive from one subscription; each value
// goes to one of them, in FIFO order of their calls.
type Subscription[T any] struct {
	b        *Broadcast[T] // its mu guards the fields below
	size     int
	buf      ring[T]
	promised int // values at the front promised to receivers about to resume
	recv     waitQueue[struct{}]
	state    subState
	dropped  uint64
}

// fullLocked reports whether the subscription has no room for a new value.
func (s *Subscription[T]) fullLocked() bool { return s.buf.len()-s.promised >= s.size }

// offerLocked delivers v by the broadcast's policy.
func (s *Subscription[T]) offerLocked(v T) {
	if s.fullLocked() {
		switch s.b.policy {
		case DropOldest:
			s.buf.removeAt(s.promised) // the oldest value not promised
			s.dropped++
		case DropNewest:
			s.dropped++
			return
		case Disconnect:
			s.state = subDisconnected
			s.b.removeLocked(s)
			return
		}
	}
	s.buf.pushBack(v)
	s.serveLocked()
}

// serveLocked promises buffered values to waiting receivers.
func (s *Subscription[T]) serveLocked() {
	for s.buf.len() > s.promised && s.recv.grant(struct{}{}) != nil {
		s.promised++
	}
}

// Recv returns the next value, waiting for one if none is buffered. Once
// the subscription has ended and is drained it returns ErrBroadcastClosed
// (the broadcast was closed), ErrSlowSubscriber (the Disconnect policy cut
// it off) or ErrSubscriptionClosed (it was closed); it returns ctx's error
// if ctx ends first, and then takes nothing.
func (s *Subscription[T]) Recv(ctx context.Context) (T, error) {
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	var zero T
	if v, ok := s.takeLocked(); ok {
		return v, nil
	}
	if err := s.endErrLocked(); err != nil {
		return zero, err
	}
	if err := ctxErr(ctx); err != nil {
		return zero, err
	}
	e := s.recv.push(ctx, nil)
	_, handOn, err := s.recv.wait(ctx, &b.mu, e)
	if s.state == subClosed {
		return zero, ErrSubscriptionClosed
	}
	if err != nil {
		if handOn { // a value was promised: leave it for the next receiver
			s.promised--
			s.serveLocked()
		}
		return zero, err
	}
	s.promised--
	v := s.buf.popFront()
	b.kickLocked()
	return v, nil
}

// TryRecv returns the next value if one is buffered, or ErrWouldBlock, or
// the error that ends a drained subscription.
func (s *Subscription[T]) TryRecv() (T, error) {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	if v, ok := s.takeLocked(); ok {
		return v, nil
	}
	var zero T
	if err := s.endErrLocked(); err != nil {
		return zero, err
	}
	return zero, ErrWouldBlock
}

// takeLocked takes a value that is not promised to a waiting receiver.
func (s *Subscription[T]) takeLocked() (T, bool) {
	if s.state == subClosed || s.buf.len() <= s.promised {
		var zero T
		return zero, false
	}
	v := s.buf.popFront()
	s.b.kickLocked()
	return v, true
}

func (s *Subscription[T]) endErrLocked() error {
	switch s.state {
	case subEnded:
		return ErrBroadcastClosed
	case subDisconnected:
		return ErrSlowSubscriber
	case subClosed:
		return ErrSubscriptionClosed
	}
	return nil
}

// All yields the values of the subscription as Recv takes them. It stops
// when the broadcast or the subscription is closed and the values are
// drained; it yields ErrSlowSubscriber, or ctx's error, and stops, when the
// subscription was cut off or ctx ends.
func (s *Subscription[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := s.Recv(ctx)
			if errors.Is(err, ErrBroadcastClosed) || errors.Is(err, ErrSubscriptionClosed) {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Close ends the subscription: it leaves the broadcast, drops what it has
// buffered, and its receivers, waiting or to come, get
// ErrSubscriptionClosed. A publisher that waited for its room goes on.
// Close is idempotent.
func (s *Subscription[T]) Close() {
	b := s.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if s.state == subClosed {
		return
	}
	if s.state == subOpen {
		b.removeLocked(s)
	}
	s.state = subClosed
	s.dropped += uint64(s.buf.len())
	s.buf.clear()
	s.promised = 0
	s.recv.fail(ErrSubscriptionClosed)
	b.kickLocked()
}

// Len returns the number of values buffered and not yet promised to a
// receiver.
func (s *Subscription[T]) Len() int {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.buf.len() - s.promised
}

// Dropped returns the number of values this subscriber lost: dropped by
// DropOldest or DropNewest, or still buffered (promised to a receiver
// included) when it was closed.
func (s *Subscription[T]) Dropped() uint64 {
	s.b.mu.Lock()
	defer s.b.mu.Unlock()
	return s.dropped
}
