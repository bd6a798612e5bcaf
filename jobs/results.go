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
	kv jetstream.KeyValue
	w  jetstream.KeyWatcher

	mu      sync.Mutex
	waiters map[string][]*resultWaiter // by job id
}

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
		kv, err := resultsKV(rctx, c.js, queue, DefaultKeepResult, false)
		if err != nil {
			return nil, err
		}
		// The watch lives as long as the Client, not the request: its
		// ctx is the Client's.
		w, err := kv.WatchAll(c.stop, jetstream.UpdatesOnly(), jetstream.IgnoreDeletes())
		if err != nil {
			return nil, err
		}
		rw := &resultWatch{kv: kv, w: w, waiters: map[string][]*resultWaiter{}}
		c.watches[queue] = rw
		c.watchers.Add(1)
		go rw.follow(&c.watchers)
		return rw, nil
	})
}

// resultsKV binds the results bucket of queue, making it with a TTL of
// keep if it does not exist; with update, an existing bucket takes keep
// as its TTL (the workers' setting wins over the producers').
func resultsKV(ctx context.Context, js jetstream.JetStream, queue string, keep time.Duration, update bool) (jetstream.KeyValue, error) {
	cfg := jetstream.KeyValueConfig{
		Bucket:  resultsBucket(queue),
		TTL:     keep,
		Storage: jetstream.FileStorage,
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

// follow is the watch's goroutine. Its owner is the Client; it ends when
// Close stops the watch, which closes the updates channel.
func (rw *resultWatch) follow(wg *sync.WaitGroup) {
	defer wg.Done()
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
	rw.settleAll(ErrClosed)
}

// settle completes the waiters for job id, each on its loop.
func (rw *resultWatch) settle(id string, rec *record, err error) {
	rw.mu.Lock()
	ws := rw.waiters[id]
	delete(rw.waiters, id)
	rw.mu.Unlock()
	for _, w := range ws {
		w.complete(rec, err)
	}
}

func (rw *resultWatch) settleAll(err error) {
	rw.mu.Lock()
	all := rw.waiters
	rw.waiters = map[string][]*resultWaiter{}
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

func (rw *resultWatch) add(id string, w *resultWaiter) {
	rw.mu.Lock()
	defer rw.mu.Unlock()
	rw.waiters[id] = append(rw.waiters[id], w)
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
	rw.add(j.id, w)
	defer rw.remove(j.id, w)
	// The result may have been stored before the waiter was added: before
	// the watch began, or since, when the watch passed it by for want of
	// a waiter (it keeps nothing). Look it up. A result stored after the
	// lookup comes through the watch, to the waiter already there.
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
