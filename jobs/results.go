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
	kv jetstream.KeyValue

	mu      sync.Mutex
	w       jetstream.KeyWatcher       // the current watch
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
		// Listening before the watch begins: no reconnection between
		// the two goes unnoticed.
		back := c.nc.StatusChanged(nats.CONNECTED)
		w, err := watchAll(c, kv)
		if err != nil {
			c.nc.RemoveStatusListener(back)
			return nil, err
		}
		rw := &resultWatch{kv: kv, w: w, waiters: map[string][]*resultWaiter{}}
		c.watches[queue] = rw
		c.watchers.Add(1)
		go rw.follow(c, back)
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
	for {
		// Each lookup is bounded: one lost with a connection must not
		// hold the wait, nor the Client's executor, for long.
		rec, err := call(ctx, c, func(rctx context.Context) (*record, error) {
			rctx, cancel := context.WithTimeout(rctx, lookUpTimeout)
			defer cancel()
			return lookUp(rctx, rw.kv, j.id)
		})
		if err == nil {
			if rec != nil {
				return rec, nil
			}
			break
		}
		if ctx.Err() != nil || errors.Is(err, ErrClosed) {
			return nil, err
		}
		// The server is away, or slow: the result may come through the
		// watch meanwhile; if not, look again.
		rec, err = asyncio.WaitFor(ctx, lookUpTimeout, w.f.Wait)
		if !errors.Is(err, asyncio.ErrTimeout) {
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
		rw.current().Stop()
	}
}
