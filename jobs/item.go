package jobs

import (
	"errors"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// ErrSettled is returned by TaskDone and Retry on an item already
// acknowledged or retried.
var ErrSettled = errors.New("jobs: item already settled")

// ErrHandedBack is returned by TaskDone and Retry on an item that
// Shutdown(immediate) gave back to the server.
var ErrHandedBack = errors.New("jobs: item was handed back by Shutdown")

// An Item is a value taken from a Queue, with the handle that settles it.
// Its methods must be called on the queue's loop.
type Item[T any] struct {
	Value T
	d     *delivery
}

// Attempt returns which delivery of the item this is, from 1.
func (it *Item[T]) Attempt() int { return it.d.attempt }

// TaskDone acknowledges the item: it leaves the queue for good. The
// acknowledgement is sent without waiting for the server's reply; should
// it be lost, the item is delivered again after the ack deadline. After
// the Client closed it returns ErrClosed: the item will be delivered
// again.
func (it *Item[T]) TaskDone() error { return it.d.taskDone() }

// Retry gives the item back to be delivered again after delay, to this
// process or another; reason says why. If this was the queue's last
// attempt, the item goes to the dead-letter stream with reason instead.
func (it *Item[T]) Retry(delay time.Duration, reason error) error { return it.d.retry(delay, reason) }

// A delivery is a message this process holds: fetched and not yet
// acknowledged or given back. Used on the queue's loop only.
type delivery struct {
	q       *queueCore
	msg     *nats.Msg
	attempt int
	state   deliveryState
	alive   bool // the queue's sweeps keep it
	since   int  // the queue's sweeps done when it arrived
}

type deliveryState int

const (
	held deliveryState = iota
	done
	handedBack
)

func (d *delivery) settled() error {
	switch d.state {
	case done:
		return ErrSettled
	case handedBack:
		return ErrHandedBack
	}
	return nil
}

// settle ends the process's hold of d.
func (d *delivery) settle() {
	d.state = done
	d.stopKeepAlive()
	delete(d.q.held, d)
}

// handBack gives d back to the server for immediate redelivery, unless it
// was settled since.
func (d *delivery) handBack() {
	if d.state == done {
		return
	}
	d.state = handedBack
	d.stopKeepAlive()
	delete(d.q.held, d)
	d.q.c.reply(d.msg, ackNak)
}

// keepAlive makes the queue tell the server that d is still being worked
// on, until d is settled, sent back, or the Client closes (see sweep).
func (d *delivery) keepAlive() {
	d.alive = true
	d.since = d.q.sweeps
	d.q.startSweeper()
}

func (d *delivery) stopKeepAlive() { d.alive = false }

func (d *delivery) taskDone() error {
	if err := d.settled(); err != nil {
		return err
	}
	d.settle()
	return d.q.c.ack(d.msg)
}

func (d *delivery) retry(delay time.Duration, reason error) error {
	if err := d.settled(); err != nil {
		return err
	}
	d.settle()
	if d.attempt >= d.q.cfg.maxAttempts {
		msg := "no reason given"
		if reason != nil {
			msg = reason.Error()
		}
		d.q.deadLetter(d, msg)
		return nil
	}
	return d.q.c.reply(d.msg, nakWithDelay(delay))
}

// discard moves the item to the dead-letter stream now, with reason: a
// failure another delivery cannot fix.
func (d *delivery) discard(reason string) error {
	if err := d.settled(); err != nil {
		return err
	}
	d.settle()
	d.q.deadLetter(d, reason)
	return nil
}

// giveBack gives the item back for immediate redelivery, without using
// one of its attempts' worth of delay: this process could not finish its
// part (the server did not take the result), not the handler.
func (d *delivery) giveBack() error {
	if err := d.settled(); err != nil {
		return err
	}
	d.handBack()
	return nil
}

// header returns the value of a header of the item's message.
func (d *delivery) header(key string) string { return d.msg.Header.Get(key) }

// jobID returns the id of the job d carries: its Jobs-Id header if it has
// one, or else its sequence number in the queue's stream; "" if neither
// can be read.
func (d *delivery) jobID() string {
	if id := d.header(hdrID); id != "" {
		return id
	}
	if seq, ok := ackField(d.msg.Reply, ackStreamSeq); ok {
		return strconv.FormatInt(seq, 10)
	}
	return ""
}

// enqueued returns when the job d carries was enqueued: the time in its
// Jobs-Enqueued header if it has one (a delayed job), or else when the
// server stored it; the zero time if neither can be read.
func (d *delivery) enqueued() time.Time {
	if v := d.header(hdrEnqueued); v != "" {
		return parseTime(v)
	}
	t, _ := storedAt(d.msg.Reply)
	return t
}
