package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultKeepResult is how long a queue's results are kept unless its
// workers say otherwise (KeepResult).
const DefaultKeepResult = time.Hour

// A resultWatch follows the results bucket of one queue for the Results
// waiting in this Client, from any loop: one watch (a JetStream ordered
// consumer) however many jobs are awaited, so fanning in ten thousand
// results costs the server one consumer, not ten thousand.
//
// A server that restarts loses the watch's consumer, and the NATS client
// takes a long while to notice (two missed heartbeats, 10 s or more), so
// the watch starts anew whenever the connection comes back.
type resultWatch struct {
	kv    jetstream.KeyValue
	since time.Time // the watch sees every result stored after since

	mu      sync.Mutex
	w       jetstream.KeyWatcher       // the current watch
	waiters map[string][]*resultWaiter // by job id
	ended   bool                       // no more waiters: the watch is gone

	// recent keeps the last results the watch brought, by job id, oldest
	// first in order: a producer that enqueues a batch and then awaits
	// each job, or awaits one job twice, finds them here rather than
	// asking the server. evicted is when one was last dropped for room:
	// a job enqueued before then may have lost its.
	recent  map[string]*record
	order   []string
	evicted time.Time
}

// maxRecent bounds the results a watch keeps.
var maxRecent = 1 << 14

// A resultWaiter is one Result waiting, on its loop.
type resultWaiter struct {
	loop *asyncio.Loop
	f    *asyncio.Future[*record]
}

// watchResults returns the watch of queue's results bucket, starting it
// (and making the bucket, if no worker has) on first use.
func (c *Client) watchResults(ctx context.Context, queue string) (*resultWatch, error) {
	c.watchMu.Lock()
	rw := c.watches[queue]
	c.watchMu.Unlock()
	if rw != nil {
		return rw, nil
	}
	return call(ctx, c, func(rctx context.Context) (*resultWatch, error) {
		// Under the lock for the whole round trip: a second caller
		// waits for the watch the first is making, in its executor
		// goroutine, not on its loop.
		c.watchMu.Lock()
		defer c.watchMu.Unlock()
		if rw := c.watches[queue]; rw != nil {
			return rw, nil
		}
		if c.isClosed() {
			return nil, ErrClosed
		}
		kv, err := resultsKV(rctx, c.js, queue, DefaultKeepResult, 1, false)
		if err != nil {
			return nil, err
		}
		// Listening before the watch begins: no reconnection between
		// the two goes unnoticed.
		back := c.nc.StatusChanged(nats.CONNECTED)
		w, err := watchAll(c, kv)
		if err != nil {
			c.nc.RemoveStatusListener(back)
			return nil, err
		}
		rw := &resultWatch{kv: kv, w: w, since: time.Now(), waiters: map[string][]*resultWaiter{}, recent: map[string]*record{}}
		c.watches[queue] = rw
		c.watchers.Add(1)
		go rw.follow(c, back)
		return rw, nil
	})
}

// resultsKV binds the results bucket of queue, making it with a TTL of
// keep and replicas copies if it does not exist; with update, an existing
// bucket takes those settings (the workers' settings win over the
// producers').
func resultsKV(ctx context.Context, js jetstream.JetStream, queue string, keep time.Duration, replicas int, update bool) (jetstream.KeyValue, error) {
	cfg := jetstream.KeyValueConfig{
		Bucket:   resultsBucket(queue),
		TTL:      keep,
		Storage:  jetstream.FileStorage,
		Replicas: replicas,
	}
	if update {
		return js.CreateOrUpdateKeyValue(ctx, cfg)
	}
	kv, err := js.KeyValue(ctx, cfg.Bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) {
		kv, err = js.CreateKeyValue(ctx, cfg)
		if errors.Is(err, jetstream.ErrBucketExists) {
			kv, err = js.KeyValue(ctx, cfg.Bucket)
		}
	}
	return kv, err
}

// watchAll starts a watch of the results stored from now on. It lives as
// long as the Client, not the request: its ctx is the Client's.
func watchAll(c *Client, kv jetstream.KeyValue) (jetstream.KeyWatcher, error) {
	return kv.WatchAll(c.stop, jetstream.UpdatesOnly(), jetstream.IgnoreDeletes())
}

// follow is the watch's goroutine. Its owner is the Client; it ends when
// Close stops the watch, which closes the updates channel. back hears of
// the connection coming back.
func (rw *resultWatch) follow(c *Client, back chan nats.Status) {
	defer c.watchers.Done()
	defer c.nc.RemoveStatusListener(back)
	updates := rw.current().Updates()
	for {
		select {
		case e, ok := <-updates:
			if ok {
				rw.deliver(e)
				continue
			}
			// Stopped by Close, or ended on its own.
		case _, ok := <-back:
			if !ok {
				back = nil // no more news of the connection
				continue
			}
		}
		old, ok := rw.renew(c)
		// A stopped watch may still hold results, stored before the
		// one after it began; its subscription may be waiting to hand
		// over one more, which reading them frees.
		drain(old)
		if !ok {
			drain(rw.current())
			rw.settleAll(ErrClosed)
			return
		}
		updates = rw.current().Updates()
	}
}

// drain reads what a stopped watch holds, without waiting.
func drain(w jetstream.KeyWatcher) {
	if w == nil {
		return
	}
	for {
		select {
		case _, ok := <-w.Updates():
			if !ok {
				return
			}
		default:
			return
		}
	}
}

func (rw *resultWatch) current() jetstream.KeyWatcher {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	return rw.w
}

// deliver hands a result the watch brought to its waiters.
func (rw *resultWatch) deliver(e jetstream.KeyValueEntry) {
	if e == nil || e.Operation() != jetstream.KeyValuePut {
		return
	}
	var rec record
	if json.Unmarshal(e.Value(), &rec) != nil {
		return
	}
	rw.settle(e.Key(), &rec, nil)
}

// renew replaces the watch with a new one, trying until the server
// answers or the Client closes (false), then looks up the results of the
// jobs waited for, which may have been stored while no watch saw them.
// It returns the old watch, stopped, once it is replaced.
func (rw *resultWatch) renew(c *Client) (old jetstream.KeyWatcher, ok bool) {
	for {
		if c.stop.Err() != nil {
			return old, false
		}
		if old == nil {
			if w, err := watchAll(c, rw.kv); err == nil {
				rw.mu.Lock()
				old, rw.w = rw.w, w
				// Results stored while no watch ran were missed as
				// if dropped for room: a job enqueued before now is
				// looked up when awaited.
				rw.evicted = time.Now()
				rw.mu.Unlock()
				old.Stop()
				if c.stop.Err() != nil {
					// Close may have stopped the old watch just
					// before this one took its place.
					w.Stop()
					return old, false
				}
			}
		}
		if old != nil && rw.lookUpWaiting(c) == nil {
			return old, true
		}
		// The server is still away: try again in a moment.
		t := time.NewTimer(100 * time.Millisecond)
		select {
		case <-t.C:
		case <-c.stop.Done():
			t.Stop()
		}
	}
}

// lookUpWaiting looks up the results of the jobs waited for and settles
// the ones found.
func (rw *resultWatch) lookUpWaiting(c *Client) error {
	rw.mu.Lock()
	ids := make([]string, 0, len(rw.waiters))
	for id := range rw.waiters {
		ids = append(ids, id)
	}
	rw.mu.Unlock()
	ctx, cancel := context.WithTimeout(c.stop, 10*time.Second)
	defer cancel()
	for _, id := range ids {
		rec, err := lookUp(ctx, rw.kv, id)
		if err != nil {
			return err
		}
		if rec != nil {
			rw.settle(id, rec, nil)
		}
	}
	return nil
}

// lookUpTimeout bounds one lookup of a result.
const lookUpTimeout = 5 * time.Second

// lookUp reads the result of job id; nil if there is none.
func lookUp(ctx context.Context, kv jetstream.KeyValue, id string) (*record, error) {
	e, err := kv.Get(ctx, id)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(e.Value(), &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// settle completes the waiters for job id, each on its loop.
func (rw *resultWatch) settle(id string, rec *record, err error) {
	rw.mu.Lock()
	ws := rw.waiters[id]
	delete(rw.waiters, id)
	if rec != nil {
		rw.keep(id, rec)
	}
	rw.mu.Unlock()
	for _, w := range ws {
		w.complete(rec, err)
	}
}

func (rw *resultWatch) settleAll(err error) {
	rw.mu.Lock()
	all := rw.waiters
	rw.waiters = map[string][]*resultWaiter{}
	rw.ended = true
	rw.mu.Unlock()
	for _, ws := range all {
		for _, w := range ws {
			w.complete(nil, err)
		}
	}
}

func (w *resultWaiter) complete(rec *record, err error) {
	f := w.f
	w.loop.CallSoonThreadsafe(func() {
		if err != nil {
			f.TrySetError(err)
		} else {
			f.TrySetResult(rec)
		}
	})
}

// keep holds rec for Results to come. Called with rw.mu held.
func (rw *resultWatch) keep(id string, rec *record) {
	if _, ok := rw.recent[id]; !ok {
		rw.order = append(rw.order, id)
	}
	rw.recent[id] = rec
	if len(rw.order) > maxRecent {
		delete(rw.recent, rw.order[0])
		rw.order = rw.order[1:]
		rw.evicted = time.Now()
	}
}

// add makes w wait for job id. It returns the result instead if the
// watch has brought it already, and says when the watch last dropped a
// result; ok is false if the watch has ended.
func (rw *resultWatch) add(id string, w *resultWaiter) (rec *record, evicted time.Time, ok bool) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	if rw.ended {
		return nil, time.Time{}, false
	}
	if rec := rw.recent[id]; rec != nil {
		return rec, time.Time{}, true
	}
	rw.waiters[id] = append(rw.waiters[id], w)
	return nil, rw.evicted, true
}

func (rw *resultWatch) remove(id string, w *resultWaiter) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	ws := rw.waiters[id]
	for i, x := range ws {
		if x == w {
			ws = append(ws[:i], ws[i+1:]...)
			break
		}
	}
	if len(ws) == 0 {
		delete(rw.waiters, id)
	} else {
		rw.waiters[id] = ws
	}
}

// awaitResult waits for the record of j.
func (c *Client) awaitResult(ctx context.Context, j *Job) (*record, error) {
	rw, err := c.watchResults(ctx, j.queue)
	if err != nil {
		return nil, err
	}
	w := &resultWaiter{loop: asyncio.RunningLoop(ctx), f: asyncio.NewFuture[*record](ctx)}
	if w.loop == nil {
		return nil, errors.New("jobs: Result needs the ctx of a task")
	}
	id := j.ID()
	rec, evicted, ok := rw.add(id, w)
	if !ok {
		return nil, ErrClosed // a watch ends only with its Client
	}
	if rec != nil {
		return rec, nil
	}
	defer rw.remove(id, w)
	if j.enqueued.IsZero() || j.enqueued.Before(rw.since) || !evicted.Before(j.enqueued) {
		// The result may have been stored before the watch began, or
		// brought by it and dropped for room since, or stored while the
		// connection was away and no watch saw it. Look it up: a result
		// stored after the lookup comes through the watch, to the
		// waiter already there.
		if rec, err := c.lookUpFor(ctx, rw, w, id); rec != nil || err != nil {
			return rec, err
		}
	}
	return w.f.Wait(ctx)
}

// lookUpFor reads the result of job id from the bucket, for the waiter w,
// until the server answers (nil, nil if there is none yet), the result
// comes through the watch meanwhile, or ctx ends.
func (c *Client) lookUpFor(ctx context.Context, rw *resultWatch, w *resultWaiter, id string) (*record, error) {
	for {
		// Each lookup is bounded: one lost with a connection must not
		// hold the wait, nor the Client's executor, for long.
		rec, err := call(ctx, c, func(rctx context.Context) (*record, error) {
			rctx, cancel := context.WithTimeout(rctx, lookUpTimeout)
			defer cancel()
			return lookUp(rctx, rw.kv, id)
		})
		if err == nil || ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return rec, err
		}
		// The server is away, or slow: the result may come through the
		// watch meanwhile; if not, look again.
		rec, err = asyncio.WaitFor(ctx, lookUpTimeout, w.f.Wait)
		if !errors.Is(err, asyncio.ErrTimeout) {
			return rec, err
		}
	}
}

// stopWatches stops the Client's result watches, for Close.
func (c *Client) stopWatches() {
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	for _, rw := range c.watches {
		rw.current().Stop()
	}
}
