package jobs

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// ErrWrongLoop is returned when a queue is used from a task of another
// loop than the one that opened it: its state and timers live on that
// loop.
var ErrWrongLoop = errors.New("jobs: queue used off the loop that opened it")

// consumerName is the durable pull consumer every process shares.
const consumerName = "jobs"

var validName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,200}$`)

// A Queue is a FIFO queue of values of type T kept by JetStream and shared
// by every process that opens it by name (asyncio.Queue across machines).
// It belongs to the loop of the task that opened it; Put, Get, Join and
// Shutdown are waits of tasks of that loop.
//
// The items live in the stream named name (subject "jobs.<name>", and
// "jobs.<name>.run.<function>" for the jobs of a job queue; work-queue
// retention: an item leaves the stream when it is acknowledged), taken
// through its durable consumer "jobs". Items that run out of
// attempts go to the stream "<name>_dead" (subject "jobs.<name>.dead"),
// which keeps them.
type Queue[T any] struct {
	core *queueCore
}

// OpenQueue creates the queue's streams and consumer, or binds to them if
// another process made them, with the settings of opts.
func OpenQueue[T any](ctx context.Context, c *Client, name string, opts ...QueueOption) (*Queue[T], error) {
	if !validName.MatchString(name) {
		return nil, fmt.Errorf("jobs: queue name %q: use letters, digits, - and _", name)
	}
	loop := asyncio.RunningLoop(ctx)
	if loop == nil {
		return nil, errors.New("jobs: OpenQueue needs the ctx of a task")
	}
	cfg := defaultQueueConfig()
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxAttempts < 1 || cfg.ackWait <= 0 || cfg.replicas < 1 {
		return nil, errors.New("jobs: MaxAttempts and Replicas must be at least 1 and AckWait positive")
	}
	q := &queueCore{
		c:           c,
		name:        name,
		subject:     subject(name),
		deadSubject: subject(name) + ".dead",
		getNote:     "jobs: waiting for an item of queue " + name,
		cfg:         cfg,
		loop:        loop,
		held:        map[*delivery]struct{}{},
	}
	done := asyncio.Annotate(ctx, "jobs: opening queue "+name)
	defer done()
	_, err := call(ctx, c, func(rctx context.Context) (struct{}, error) {
		s, err := makeStreams(rctx, c.js, name, cfg, true)
		if err != nil {
			return struct{}{}, err
		}
		// One delivery beyond MaxAttempts: the queue that receives it
		// moves the item to the dead letters without running it. Should
		// no process be there to do it, the server stops delivering
		// the item after that one.
		_, err = s.CreateOrUpdateConsumer(rctx, jetstream.ConsumerConfig{
			Durable:    consumerName,
			AckPolicy:  jetstream.AckExplicitPolicy,
			AckWait:    cfg.ackWait,
			MaxDeliver: cfg.maxAttempts + 1,
		})
		if err != nil {
			return struct{}{}, err
		}
		q.stream = s
		return struct{}{}, q.subscribe()
	})
	if err != nil {
		return nil, err
	}
	if !c.register(q) {
		q.unsubscribeNow()
		return nil, ErrClosed
	}
	return &Queue[T]{core: q}, nil
}

func deadStream(name string) string { return name + "_dead" }

// makeStreams makes the queue's stream and its dead-letter stream with
// cfg's settings and returns the first. With update, streams that exist
// take cfg's settings; without, they are left as they are (a producer that
// only sends must not undo the settings of the queue's consumers), but
// for the subjects of job functions, which a queue's stream made before
// they were did not take.
func makeStreams(ctx context.Context, js jetstream.JetStream, name string, cfg queueConfig, update bool) (jetstream.Stream, error) {
	if _, _, err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name:     deadStream(name),
		Subjects: []string{subject(name) + ".dead"},
		Storage:  jetstream.FileStorage,
		Replicas: cfg.replicas,
	}, update); err != nil {
		return nil, err
	}
	s, made, err := ensureStream(ctx, js, jetstream.StreamConfig{
		Name: name,
		// A job queue's jobs come on the subjects of their functions
		// (runSubject); a queue's items, on its own subject.
		Subjects:   []string{subject(name), subject(name) + ".run.>"},
		Retention:  jetstream.WorkQueuePolicy,
		Storage:    jetstream.FileStorage,
		Duplicates: cfg.dupWindow,
		Replicas:   cfg.replicas,
	}, update)
	if err != nil || !made {
		return s, err
	}
	// A new stream numbers its messages from 1, and a job's number is
	// its id: results left by the jobs of a stream of the same name,
	// deleted without them, would be taken for the new jobs'.
	if kv, err := js.Stream(ctx, "KV_"+resultsBucket(name)); err == nil {
		if err := kv.Purge(ctx); err != nil {
			return nil, fmt.Errorf("jobs: purging the results of an earlier queue %s: %w", name, err)
		}
	} else if !errors.Is(err, jetstream.ErrStreamNotFound) {
		return nil, err
	}
	return s, nil
}

// ensureStream makes the stream sc, or finds it made, and reports whether
// it made it. With update, a stream that exists takes sc's settings;
// without, only its subjects.
func ensureStream(ctx context.Context, js jetstream.JetStream, sc jetstream.StreamConfig, update bool) (jetstream.Stream, bool, error) {
	s, err := js.Stream(ctx, sc.Name)
	if errors.Is(err, jetstream.ErrStreamNotFound) {
		s, err = js.CreateStream(ctx, sc)
		if err == nil {
			return s, true, nil
		}
		if !errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			return nil, false, err
		}
		s, err = js.Stream(ctx, sc.Name) // another process made it meanwhile
	}
	if err != nil {
		return nil, false, err
	}
	if update {
		s, err = js.UpdateStream(ctx, sc)
		return s, false, err
	}
	if have := s.CachedInfo().Config; !slices.Equal(have.Subjects, sc.Subjects) {
		have.Subjects = sc.Subjects
		s, err = js.UpdateStream(ctx, have)
	}
	return s, false, err
}

// subject is the subject of the items of the queue name.
func subject(name string) string { return "jobs." + name }

// DeleteQueue deletes the queue name, with its items, dead letters and
// consumer; for a job queue, also its delayed jobs and its results. What
// does not exist is passed over.
func DeleteQueue(ctx context.Context, c *Client, name string) error {
	_, err := call(ctx, c, func(rctx context.Context) (struct{}, error) {
		var errs []error
		for _, s := range []string{name, deadStream(name), laterQueue(name), deadStream(laterQueue(name))} {
			if err := c.js.DeleteStream(rctx, s); err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
				errs = append(errs, err)
			}
		}
		if err := c.js.DeleteKeyValue(rctx, resultsBucket(name)); err != nil && !errors.Is(err, jetstream.ErrBucketNotFound) {
			errs = append(errs, err)
		}
		return struct{}{}, errors.Join(errs...)
	})
	c.jobStreams.Delete(name)
	return err
}

// Name returns the queue's name.
func (q *Queue[T]) Name() string { return q.core.name }

// DeadLetterSubject returns the subject the queue's dead letters are
// published on, in the stream "<name>_dead". Each keeps the item's payload
// and headers, with Jobs-Reason and Jobs-Attempts added.
func (q *Queue[T]) DeadLetterSubject() string { return q.core.deadSubject }

// Put sends v to the queue and waits until the server has stored it. It
// returns asyncio.ErrQueueShutDown after Shutdown. If ctx ends first, v
// may or may not be in the queue: Put again with the same MsgID to be
// sure it is there once.
func (q *Queue[T]) Put(ctx context.Context, v T, opts ...PutOption) error {
	core := q.core
	if err := core.onLoop(ctx); err != nil {
		return err
	}
	if core.shut {
		return asyncio.ErrQueueShutDown
	}
	var pc putConfig
	for _, o := range opts {
		o(&pc)
	}
	data, err := core.cfg.codec.Marshal(v)
	if err != nil {
		return fmt.Errorf("jobs: encoding an item of queue %s: %w", core.name, err)
	}
	m := nats.NewMsg(core.subject)
	m.Data = data
	if pc.msgID != "" {
		m.Header.Set(jetstream.MsgIDHeader, pc.msgID)
	}
	done := asyncio.Annotate(ctx, "jobs: putting an item on queue "+core.name)
	defer done()
	_, err = core.c.publish(ctx, m)
	return err
}

// Get takes an item from the queue, waiting until there is one. The item
// is the caller's until it calls TaskDone or Retry; the queue keeps its
// ack deadline from passing meanwhile. Get returns
// asyncio.ErrQueueShutDown after Shutdown, and ctx's error if ctx ends
// first; an item that arrives for a Get that gave up goes to another Get
// or back to the server, never lost. An item whose payload does not decode
// goes to the dead letters.
func (q *Queue[T]) Get(ctx context.Context) (*Item[T], error) {
	core := q.core
	if err := core.onLoop(ctx); err != nil {
		return nil, err
	}
	for {
		d, err := core.get(ctx)
		if err != nil {
			return nil, err
		}
		var v T
		if err := core.cfg.codec.Unmarshal(d.msg.Data, &v); err != nil {
			d.settle()
			core.deadLetter(d, "decoding: "+err.Error())
			continue
		}
		return &Item[T]{Value: v, d: d}, nil
	}
}

// TaskDone acknowledges it, as it.TaskDone does, for the shape of
// asyncio.Queue.
func (q *Queue[T]) TaskDone(it *Item[T]) error { return it.TaskDone() }

// Join waits until every item put on the queue before the call, by any
// process, is acknowledged (or dead-lettered). Precisely: Join reads the
// stream's last sequence number L, then waits until no message numbered
// L or lower is left in the stream: with work-queue retention a message
// leaves the stream exactly when it is acknowledged. The server tells no
// one when that happens, so Join asks it every 50 ms.
func (q *Queue[T]) Join(ctx context.Context) error {
	core := q.core
	if err := core.onLoop(ctx); err != nil {
		return err
	}
	done := asyncio.Annotate(ctx, "jobs: joining queue "+core.name)
	defer done()
	state := func() (jetstream.StreamState, error) {
		return call(ctx, core.c, func(rctx context.Context) (jetstream.StreamState, error) {
			info, err := core.stream.Info(rctx)
			if err != nil {
				return jetstream.StreamState{}, err
			}
			return info.State, nil
		})
	}
	st, err := state()
	if err != nil {
		return err
	}
	last := st.LastSeq
	for st.Msgs > 0 && st.FirstSeq <= last {
		if err := asyncio.Sleep(ctx, core.cfg.joinPoll); err != nil {
			return err
		}
		if st, err = state(); err != nil {
			return err
		}
	}
	return nil
}

// Shutdown shuts the queue down in this process, as asyncio's
// Queue.shutdown: Put and Get fail with asyncio.ErrQueueShutDown from now
// on, waiting Gets at once, and the items the queue fetched that no Get
// took go back to the server for other processes (once the pull in
// flight, if any, has ended: within a second). With immediate, the
// items that tasks hold go back too, and their TaskDone and Retry return
// ErrHandedBack. The queue's streams are left as they are.
func (q *Queue[T]) Shutdown(ctx context.Context, immediate bool) error {
	core := q.core
	if err := core.onLoop(ctx); err != nil {
		return err
	}
	core.shutdown(immediate)
	return nil
}

// Len returns how many items the queue has fetched that no Get took yet
// (not the stream's size, which needs a round trip: see the Client's
// JetStream).
func (q *Queue[T]) Len() int { return len(q.core.items) }

// queueCore is the part of a queue that does not depend on T. All its
// fields are used on the loop only, but for the puller's in, which its
// subscriptions' goroutines fill, and its subscriptions, which OpenQueue
// makes before the queue is used.
type queueCore struct {
	c                    *Client
	name                 string
	subject, deadSubject string
	getNote              string // Get's annotation
	cfg                  queueConfig
	loop                 *asyncio.Loop
	stream               jetstream.Stream

	items     []*delivery                  // fetched, not taken
	waiters   []*asyncio.Future[*delivery] // Gets waiting, in order
	held      map[*delivery]struct{}       // taken, not settled
	fetching  int                          // pulls in flight
	requested int                          // messages the pulls in flight may still bring
	shut      bool

	returning []*delivery // to hand back once no pull is in flight

	puller // the pulls of messages from the server, and what they bring

	sweeps  int                  // sweeps done
	sweeper *asyncio.TimerHandle // the next sweep, while deliveries are kept
}

// startSweeper makes sure a sweep is due.
func (q *queueCore) startSweeper() {
	if q.sweeper == nil {
		q.sweeper = q.loop.CallLater(q.cfg.ackWait/3, q.sweep)
	}
}

// sweep runs every third of the ack deadline while the queue holds
// deliveries (fetched ahead, taken by a task, or waiting to go back), and
// tells the server that those held since before the previous sweep are
// still being worked on: each gets its first note between one and two
// thirds of the deadline after it arrived, and one every third after
// that. One timer for the queue, rather than one per delivery, keeps a
// job's cost off the loop's timer heap.
func (q *queueCore) sweep() {
	q.sweeper = nil
	q.sweeps++
	if q.c.isClosed() {
		return
	}
	var notes []*nats.Msg
	kept := false
	note := func(d *delivery) {
		if !d.alive {
			return
		}
		kept = true
		if d.since < q.sweeps-1 {
			notes = append(notes, d.msg)
		}
	}
	for _, d := range q.items {
		note(d)
	}
	for d := range q.held {
		note(d)
	}
	for _, d := range q.returning {
		note(d)
	}
	if len(notes) > 0 {
		nc := q.c.nc
		q.c.send(func() error {
			for _, m := range notes {
				nc.Publish(m.Reply, ackProgress)
			}
			return nil
		})
	}
	if kept {
		q.startSweeper()
	}
}

func (q *queueCore) onLoop(ctx context.Context) error {
	if asyncio.RunningLoop(ctx) != q.loop {
		return ErrWrongLoop
	}
	return nil
}

// get is take, annotated for asyncio ps when it has to wait (an item at
// hand is taken without the annotation's cost).
func (q *queueCore) get(ctx context.Context) (*delivery, error) {
	if q.shut || len(q.items) == 0 || ctx.Err() != nil {
		done := asyncio.Annotate(ctx, q.getNote)
		defer done()
	}
	return q.take(ctx)
}

// take returns the next item, waiting for one.
func (q *queueCore) take(ctx context.Context) (*delivery, error) {
	if q.shut {
		return nil, asyncio.ErrQueueShutDown
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if len(q.items) > 0 {
		d := q.items[0]
		q.items[0] = nil
		q.items = q.items[1:]
		q.held[d] = struct{}{}
		q.refill()
		return d, nil
	}
	f := asyncio.NewFuture[*delivery](ctx)
	q.waiters = append(q.waiters, f)
	q.refill()
	d, err := f.Wait(ctx)
	if err != nil {
		q.dropWaiter(f)
		// Handed an item as ctx ended: it goes to the next Get, or back.
		if d, rerr := f.Result(); rerr == nil {
			q.offer(d)
		}
		return nil, err
	}
	q.held[d] = struct{}{}
	return d, nil
}

func (q *queueCore) dropWaiter(f *asyncio.Future[*delivery]) {
	for i, w := range q.waiters {
		if w == f {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			return
		}
	}
}

// offer hands d to the first waiting Get, or keeps it if the prefetch
// allows, or gives it back to the server.
func (q *queueCore) offer(d *delivery) {
	for len(q.waiters) > 0 {
		f := q.waiters[0]
		q.waiters = q.waiters[1:]
		if f.TrySetResult(d) {
			return
		}
	}
	if !q.shut && (q.fetching > 0 || len(q.items) < q.cfg.prefetch) {
		q.items = append(q.items, d)
		return
	}
	q.handBackLater(d)
}

// handBackLater gives d back to the server once no pull of this queue is
// in flight (refill starts none while items wait to go back). The server would hand an item given back during a pull to
// that very pull, even one the client gave up (JetStream has no way to
// cancel a pull request): an item nak'ed from a pull that wants more comes
// straight back, using up its attempts, and one that comes back to a pull
// the client gave up is lost until its ack deadline.
func (q *queueCore) handBackLater(d *delivery) {
	if q.fetching == 0 {
		d.handBack()
		return
	}
	d.state = handedBack // TaskDone and Retry fail from now on
	delete(q.held, d)
	q.returning = append(q.returning, d)
}

// refill asks the server for as many messages as Gets wait for, plus the
// prefetch, less what is at hand and what the pulls in flight may still
// bring. Up to maxPulls pulls are in flight: a second one starts while the
// first is still delivering, once at least half of what is wanted is not
// asked for yet, so that the server has a pull to fill while the loop
// works through what the first brought (with one pull at a time, the
// server waited for the loop after each batch). None starts while items
// wait to go back to the server (handBackLater), nor for a moment after
// the server refused a pull (resting).
func (q *queueCore) refill() {
	if q.shut || q.resting || q.fetching >= maxPulls || len(q.returning) > 0 {
		return
	}
	want := len(q.waiters) + q.cfg.prefetch
	n := want - len(q.items) - q.requested
	if n <= 0 || (q.fetching > 0 && 2*n < want) {
		return
	}
	q.startPull(min(n, maxBatch))
}

// shutdown runs on the loop.
func (q *queueCore) shutdown(immediate bool) {
	if !q.shut {
		q.shut = true
		q.c.unregister(q)
		for _, f := range q.waiters {
			f.TrySetError(asyncio.ErrQueueShutDown)
		}
		q.waiters = nil
		for _, d := range q.items {
			q.handBackLater(d)
		}
		q.items = nil
	}
	if immediate {
		for d := range q.held {
			q.handBackLater(d)
		}
	}
	if q.fetching == 0 {
		q.release()
	}
}

// closeFromClient shuts q down for Client.Close.
func (q *queueCore) closeFromClient(ctx context.Context) {
	if asyncio.RunningLoop(ctx) == q.loop {
		q.shutdown(false)
	} else {
		q.loop.CallSoonThreadsafe(func() { q.shutdown(false) })
	}
}

// deadLetter moves d to the dead-letter stream with the reason, then
// acknowledges it, on the strand; if the dead letter cannot be stored, the
// item is given back, to be moved at its next delivery.
func (q *queueCore) deadLetter(d *delivery, reason string) {
	m := d.msg
	dm := nats.NewMsg(q.deadSubject)
	dm.Data = m.Data
	for k, v := range m.Header {
		if k != jetstream.MsgIDHeader {
			dm.Header[k] = v
		}
	}
	dm.Header.Set("Jobs-Reason", reason)
	dm.Header.Set("Jobs-Attempts", fmt.Sprint(d.attempt))
	js, nc := q.c.js, q.c.nc
	q.c.send(func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if _, err := js.PublishMsg(ctx, dm); err != nil {
			return nc.Publish(m.Reply, ackNak)
		}
		return nc.Publish(m.Reply, ackOK)
	})
}
