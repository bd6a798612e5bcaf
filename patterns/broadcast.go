package patterns

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Errors of Broadcast and Subscription.
var (
	// ErrBroadcastClosed is returned by Publish once the broadcast is
	// closed, and by Recv once it is closed and the subscription drained.
	ErrBroadcastClosed = errors.New("patterns: broadcast is closed")
	// ErrSubscriptionClosed is returned by Recv once the subscription
	// itself was closed.
	ErrSubscriptionClosed = errors.New("patterns: subscription is closed")
	// ErrSlowSubscriber is returned by Recv, once the values buffered
	// before are drained, on a subscription that the Disconnect policy cut
	// off for falling behind.
	ErrSlowSubscriber = errors.New("patterns: subscriber disconnected for falling behind")
)

// An OverflowPolicy says what a Broadcast does when a subscriber's buffer
// is full.
type OverflowPolicy int

const (
	// Block makes Publish wait until every subscriber has room: the
	// slowest subscriber sets the pace (backpressure).
	Block OverflowPolicy = iota
	// DropOldest drops the oldest value of a full buffer to make room for
	// the new one: a slow subscriber sees the latest values.
	DropOldest
	// DropNewest drops the new value for a subscriber whose buffer is
	// full: a slow subscriber keeps the values it has.
	DropNewest
	// Disconnect cuts off a subscriber whose buffer is full: it receives
	// the values it has buffered, then ErrSlowSubscriber.
	Disconnect
)

// String returns the policy's name.
func (p OverflowPolicy) String() string {
	switch p {
	case Block:
		return "Block"
	case DropOldest:
		return "DropOldest"
	case DropNewest:
		return "DropNewest"
	case Disconnect:
		return "Disconnect"
	}
	return fmt.Sprintf("OverflowPolicy(%d)", int(p))
}

// A Broadcast delivers every value published to every subscriber, each
// through a buffer of its own (publish–subscribe; a fan-out of anyio's
// memory object streams). The policy chosen at construction says what
// happens when a subscriber falls behind and its buffer fills up: the
// publisher waits (Block), or the subscriber loses values (DropOldest,
// DropNewest) or its subscription (Disconnect).
//
// Publish is atomic: it delivers a value to every subscriber or, if it
// fails, to none. Under Block, publishers wait in FIFO order, so values
// reach every subscriber in the order Publish was called. Close ends the
// broadcast; each subscription receives what it has buffered and then
// ErrBroadcastClosed, or the end of its All iterator.
//
// A subscription's buffer holds at most its size of values, not counting
// the ones already promised to receivers that are about to resume; a
// receiver cancelled after a value was promised to it leaves the value in
// the buffer for the next one, which may leave the buffer one over its size
// for a moment. Nothing is lost or duplicated.
//
// A Broadcast works from tasks and from plain goroutines.
type Broadcast[T any] struct {
	mu     sync.Mutex
	policy OverflowPolicy
	subs   []*Subscription[T] // the live ones, in order of subscription
	closed bool
	pubs   waitQueue[struct{}] // publishers waiting for room, under Block
	turn   bool                // a waiting publisher was given room and has not resumed
}

// NewBroadcast returns a broadcast with the given policy for slow
// subscribers. An unknown policy panics.
func NewBroadcast[T any](policy OverflowPolicy) *Broadcast[T] {
	if policy < Block || policy > Disconnect {
		panic(fmt.Sprintf("patterns: NewBroadcast: unknown policy %v", policy))
	}
	return &Broadcast[T]{policy: policy}
}

// Policy returns the broadcast's policy for slow subscribers.
func (b *Broadcast[T]) Policy() OverflowPolicy { return b.policy }

// Subscribe adds a subscriber with room for size values, which receives
// every value published from now on. After Close it returns a subscription
// that is already ended. A size below 1 panics.
func (b *Broadcast[T]) Subscribe(size int) *Subscription[T] {
	if size < 1 {
		panic(fmt.Sprintf("patterns: Broadcast.Subscribe(%d): need room for at least one value", size))
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &Subscription[T]{b: b, size: size}
	if b.closed {
		s.state = subEnded
	} else {
		b.subs = append(b.subs, s)
	}
	return s
}

// Subscribers returns the number of live subscriptions.
func (b *Broadcast[T]) Subscribers() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.subs)
}

// Publish delivers v to every subscriber. Under Block it first waits until
// every subscriber has room, behind the publishers that wait already; the
// other policies never wait. It returns ErrBroadcastClosed if the broadcast
// is closed (or is closed while Publish waits) and ctx's error if ctx ends
// first; in both cases v reaches nobody.
func (b *Broadcast[T]) Publish(ctx context.Context, v T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBroadcastClosed
	}
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if b.policy == Block && (b.turn || b.pubs.len() > 0 || !b.roomLocked()) {
		e := b.pubs.push(ctx, nil)
		_, handOn, err := b.pubs.wait(ctx, &b.mu, e)
		if handOn {
			b.turn = false
			b.kickLocked()
		}
		if err != nil {
			return err
		}
		b.turn = false
		if b.closed {
			return ErrBroadcastClosed
		}
	}
	b.deliverLocked(v)
	b.kickLocked()
	return nil
}

// TryPublish delivers v to every subscriber if that needs no wait, or
// returns ErrWouldBlock (under Block, when a subscriber is full or
// publishers wait), or ErrBroadcastClosed.
func (b *Broadcast[T]) TryPublish(v T) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrBroadcastClosed
	}
	if b.policy == Block && (b.turn || b.pubs.len() > 0 || !b.roomLocked()) {
		return ErrWouldBlock
	}
	b.deliverLocked(v)
	return nil
}

// Close ends the broadcast: Publish fails with ErrBroadcastClosed from now
// on, and so do the publishers waiting; every subscription receives what it
// has buffered, then ErrBroadcastClosed. Close is idempotent.
func (b *Broadcast[T]) Close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	b.pubs.fail(ErrBroadcastClosed)
	for _, s := range b.subs {
		s.state = subEnded
		s.recv.fail(ErrBroadcastClosed) // they wait on an empty buffer
	}
	b.subs = nil
}

// roomLocked reports whether every subscriber has room for one more value.
func (b *Broadcast[T]) roomLocked() bool {
	for _, s := range b.subs {
		if s.fullLocked() {
			return false
		}
	}
	return true
}

// kickLocked gives the first waiting publisher its turn if every
// subscriber has room now.
func (b *Broadcast[T]) kickLocked() {
	if b.policy != Block || b.turn || b.closed || b.pubs.len() == 0 || !b.roomLocked() {
		return
	}
	if b.pubs.grant(struct{}{}) != nil {
		b.turn = true
	}
}

func (b *Broadcast[T]) deliverLocked(v T) {
	for _, s := range slices.Clone(b.subs) {
		s.offerLocked(v)
	}
}

func (b *Broadcast[T]) removeLocked(s *Subscription[T]) {
	if i := slices.Index(b.subs, s); i >= 0 {
		b.subs = slices.Delete(b.subs, i, i+1)
	}
}
