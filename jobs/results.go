package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/nats-io/nats.go/jetstream"
)

// DefaultKeepResult is how long a queue's results are kept unless its
// workers say otherwise (KeepResult).
const DefaultKeepResult = time.Hour

// A resultWatch follows the results bucket of one queue for the Results
// waiting in this Client, from any loop: one watch (a JetStream ordered
// consumer) however many jobs are awaited, so fanning in ten thousand
// results costs the server one consumer, not ten thousand.
type resultWatch struct {
	kv    jetstream.KeyValue
	w     jetstream.KeyWatcher
	since time.Time // the watch sees every result stored after since

	mu      sync.Mutex
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
		// The watch lives as long as the Client, not the request: its
		// ctx is the Client's.
		w, err := kv.WatchAll(c.stop, jetstream.UpdatesOnly(), jetstream.IgnoreDeletes())
		if err != nil {
			return nil, err
		}
		rw := &resultWatch{kv: kv, w: w, since: time.Now(), waiters: map[string][]*resultWaiter{}, recent: map[string]*record{}}
		c.watches[queue] = rw
		c.watchers.Add(1)
		go c.follow(queue, rw)
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

// follow is the goroutine of the watch rw of queue. Its owner is the
// Client; it ends when Close stops the watch, or the client gives the
// watch up, either of which closes the updates channel. The Results
// waiting then fail, and the next Result starts a new watch.
func (c *Client) follow(queue string, rw *resultWatch) {
	defer c.watchers.Done()
	for e := range rw.w.Updates() {
		if e == nil || e.Operation() != jetstream.KeyValuePut {
			continue
		}
		var rec record
		if json.Unmarshal(e.Value(), &rec) != nil {
			continue
		}
		rw.settle(e.Key(), &rec, nil)
	}
	c.watchMu.Lock()
	if c.watches[queue] == rw {
		delete(c.watches, queue)
	}
	c.watchMu.Unlock()
	rw.settleAll(errWatchEnded)
}

// errWatchEnded fails the Results waiting on a watch that ended; each
// starts again on a new watch, unless the Client is closed.
var errWatchEnded = errors.New("jobs: the watch of results ended")

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
	for {
		rec, err := c.awaitOnce(ctx, j)
		if !errors.Is(err, errWatchEnded) {
			return rec, err
		}
		if c.isClosed() {
			return nil, ErrClosed
		}
	}
}

// awaitOnce waits for the record of j on the queue's current watch.
func (c *Client) awaitOnce(ctx context.Context, j *Job) (*record, error) {
	rw, err := c.watchResults(ctx, j.queue)
	if err != nil {
		return nil, err
	}
	w := &resultWaiter{loop: asyncio.RunningLoop(ctx), f: asyncio.NewFuture[*record](ctx)}
	if w.loop == nil {
		return nil, errors.New("jobs: Result needs the ctx of a task")
	}
	rec, evicted, ok := rw.add(j.id, w)
	if !ok {
		return nil, errWatchEnded
	}
	if rec != nil {
		return rec, nil
	}
	defer rw.remove(j.id, w)
	if j.enqueued.IsZero() || j.enqueued.Before(rw.since) || !evicted.Before(j.enqueued) {
		// The result may have been stored before the watch began, or
		// brought by it and dropped for room since.
		rec, err := call(ctx, c, func(rctx context.Context) (*record, error) {
			e, err := rw.kv.Get(rctx, j.id)
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
		})
		if err != nil || rec != nil {
			return rec, err
		}
	}
	return w.f.Wait(ctx)
}

// stopWatches stops the Client's result watches, for Close.
func (c *Client) stopWatches() {
	c.watchMu.Lock()
	defer c.watchMu.Unlock()
	for _, rw := range c.watches {
		rw.w.Stop()
	}
}
