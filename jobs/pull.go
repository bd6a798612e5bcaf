package jobs

import (
	"fmt"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/nats-io/nats.go"
)

// maxBatch bounds one pull.
const maxBatch = 256

// maxPulls bounds the pulls of one queue in flight at once.
const maxPulls = 2

// pullWait is how long one pull waits at the server for messages. It is
// also how long an item stays held after the Get it was fetched for gave
// up, and about how long Shutdown and Close may wait for a pull to end.
const pullWait = time.Second

// pullRest is how long a queue waits before it pulls again after the
// server refused a pull.
const pullRest = 100 * time.Millisecond

// A puller asks the queue's consumer for messages, as JetStream's pull
// protocol has it: a request on the consumer's next-messages subject
// names the batch it wants and a reply subject, where the server sends
// the messages as they come, and ends the pull with a status message if
// the pull expires (408) or is refused (409 and others) before the batch
// is full. A delivered message keeps its own subject, so the reply
// subject is known only from the subscription that receives it: each of
// the queue's maxPulls pull slots has a subscription of its own, made
// when the queue opens and used by one pull at a time. nats.go's Fetch
// makes a subscription per pull instead, and hands each message through
// a channel to the goroutine that called it; here the subscriptions'
// goroutines hand what arrives straight to the loop, a burst at a time,
// and a pull ends on the loop, where its count is.
//
// A pull is never cut short by the client: JetStream has no way to cancel
// one, and what it brought after the client stopped listening would be
// lost until its ack deadline. The subscriptions stay until the queue has
// shut down and no pull is in flight; a message that arrives on a slot
// whose pull the queue ended on its own (its server went away) is taken
// like any.
type puller struct {
	slots    [maxPulls]pullSlot
	nextSubj string // the consumer's next-messages API subject

	// On the loop:
	resting  bool // for pullRest after a refusal
	released bool // the queue no longer holds its Client's Close back

	// The subscriptions' goroutines hand messages to the loop through in.
	inMu  sync.Mutex
	in    []arrival
	inDue bool // a callback to take them in is scheduled
}

// A pullSlot is a subscription of the queue's and the pull in flight on
// it, if any.
type pullSlot struct {
	sub   *nats.Subscription // made by OpenQueue, off the loop
	reply string             // its subject
	pull  *pull              // on the loop
}

// A pull is one pull request in flight.
type pull struct {
	left   int                  // messages it may still bring
	expiry *asyncio.TimerHandle // ends it, should the server not
}

// An arrival is a message and the pull slot it came to.
type arrival struct {
	slot int
	m    *nats.Msg
}

// subscribe makes the queue's subscriptions. It runs off the loop (it
// talks to the connection), in OpenQueue.
func (q *queueCore) subscribe() error {
	q.nextSubj = "$JS.API.CONSUMER.MSG.NEXT." + q.name + "." + consumerName
	for i := range q.slots {
		reply := q.c.nc.NewInbox()
		sub, err := q.c.nc.Subscribe(reply, func(m *nats.Msg) { q.receive(i, m) })
		if err == nil {
			// What a subscription may hold is bounded by its pulls, as
			// in nats.go's Fetch: no second limit that could drop a
			// message.
			err = sub.SetPendingLimits(-1, -1)
		}
		if err != nil {
			if sub != nil {
				sub.Unsubscribe()
			}
			q.unsubscribeNow()
			return err
		}
		q.slots[i].sub, q.slots[i].reply = sub, reply
	}
	return nil
}

// unsubscribeNow ends the queue's subscriptions. It talks to the
// connection, so it runs off the loop: on the strand, or in OpenQueue's
// call (and, once, on the loop where OpenQueue finds its Client closed:
// the connection is closing then, and a write only fails).
func (q *queueCore) unsubscribeNow() {
	for i := range q.slots {
		if sub := q.slots[i].sub; sub != nil {
			sub.Unsubscribe()
		}
	}
}

// startPull asks the server for n messages on a free slot. Runs on the
// loop, with fewer than maxPulls pulls in flight.
func (q *queueCore) startPull(n int) {
	i := 0
	for q.slots[i].pull != nil {
		i++
	}
	slot := &q.slots[i]
	p := &pull{left: n}
	slot.pull = p
	q.fetching++
	q.requested += n
	// Should the server never say the pull ended (it restarted, or the
	// connection is away), the pull ends a second after it would have
	// expired, as nats.go's Fetch does.
	p.expiry = q.loop.CallLater(pullWait+time.Second, func() {
		if slot.pull == p {
			q.endPull(slot, "")
		}
	})
	req := fmt.Appendf(nil, `{"batch":%d,"expires":%d}`, n, pullWait.Nanoseconds())
	nc, subj, reply := q.c.nc, q.nextSubj, slot.reply
	// The request goes out on the strand; should the Client be closed,
	// the expiry ends the pull.
	q.c.send(func() error { return nc.PublishRequest(subj, reply, req) })
}

// receive is the handler of slot i's subscription: it hands m to the
// loop, with whatever else arrives before the loop takes it in.
func (q *queueCore) receive(i int, m *nats.Msg) {
	q.inMu.Lock()
	q.in = append(q.in, arrival{i, m})
	due := !q.inDue
	q.inDue = true
	q.inMu.Unlock()
	if due {
		q.loop.CallSoonThreadsafe(q.takeIn)
	}
}

// takeIn takes in what the subscriptions received. Runs on the loop.
func (q *queueCore) takeIn() {
	q.inMu.Lock()
	in := q.in
	q.in, q.inDue = nil, false
	q.inMu.Unlock()
	for _, a := range in {
		q.take1(&q.slots[a.slot], a.m)
	}
}

// take1 takes in one message that came to slot: a message of the queue,
// or the status that ends the slot's pull.
func (q *queueCore) take1(slot *pullSlot, m *nats.Msg) {
	p := slot.pull
	if len(m.Data) == 0 && len(m.Header) > 0 {
		if status := m.Header.Get("Status"); status != "" {
			if p != nil && status != "100" { // 100: a heartbeat
				q.endPull(slot, status)
			}
			return
		}
	}
	if p != nil {
		p.left--
		q.requested--
	}
	q.arrive(m)
	if p != nil && p.left == 0 {
		q.endPull(slot, "")
	}
}

// endPull ends the pull of slot: its batch is full, or the server ended
// it with status, or it is past its expiry. Once no pull is in flight,
// the items held back go back to the server, and so do the items fetched
// beyond what waits for them (for Gets that gave up).
func (q *queueCore) endPull(slot *pullSlot, status string) {
	p := slot.pull
	slot.pull = nil
	p.expiry.Cancel()
	q.fetching--
	q.requested -= p.left
	switch status {
	case "", "408", "404":
		// Full, expired, or nothing there: the usual ends of a pull.
	default:
		// Refused (409: too many pulls waiting, the consumer deleted or
		// moved; 503: no JetStream): wait a moment rather than ask
		// again at once.
		if !q.resting {
			q.resting = true
			q.loop.CallLater(pullRest, func() {
				q.resting = false
				q.refill()
			})
		}
	}
	if q.fetching > 0 {
		q.refill()
		return
	}
	for _, d := range q.returning {
		d.handBack()
	}
	q.returning = nil
	for len(q.items) > q.cfg.prefetch {
		d := q.items[len(q.items)-1]
		q.items = q.items[:len(q.items)-1]
		d.handBack()
	}
	if q.shut {
		q.release()
		return
	}
	q.refill()
}

// release lets the queue's Client close, once the queue has shut down
// and no pull is in flight: it ends the subscriptions, on the strand
// (after what the queue handed back). Runs on the loop.
func (q *queueCore) release() {
	if q.released {
		return
	}
	q.released = true
	q.c.send(func() error { q.unsubscribeNow(); return nil })
	q.c.releaseQueue()
}

// arrive runs on the loop for each message of the queue that a pull
// brings.
func (q *queueCore) arrive(m *nats.Msg) {
	d := &delivery{q: q, msg: m, attempt: 1}
	if n, ok := numDelivered(m.Reply); ok {
		d.attempt = n
	}
	if q.shut {
		d.keepAlive()
		q.handBackLater(d)
		return
	}
	if d.attempt > q.cfg.maxAttempts {
		q.deadLetter(d, fmt.Sprintf("delivered %d times without an acknowledgement", d.attempt-1))
		return
	}
	d.keepAlive()
	q.offer(d)
}
