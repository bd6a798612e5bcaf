package main

// The coordination workloads (the §6 goal "Lock / Semaphore / Queue
// hand-off between two tasks"). bench/run.sh handoff runs them next to the same
// workloads written for asyncio, uvloop, trio, Node and plain Go in
// bench/peers; every program documents the same semantics:
//
//	handoff -prim lock|semaphore -n N
//	    A lock (or a Semaphore(1)) handed back and forth between two tasks.
//	    The main task holds it while it spawns both tasks and lets them
//	    block in Acquire, then releases it. Each task loops N/2 times
//	    {Acquire; Release}. The primitives are FIFO with direct hand-off,
//	    so every Release passes the lock to the other task, which waits in
//	    Acquire, and the releasing task queues behind it. One op is one
//	    acquisition; "handoffs" counts those that changed owner (≈ N).
//	handoff -prim event -n N
//	    Two events in ping-pong between two tasks: task a loops {eb.Set;
//	    ea.Wait; ea.Clear}, task b {eb.Wait; eb.Clear; ea.Set}, N/2 times
//	    each. One op is one Set that wakes the other task.
//	queue -producers P -consumers C -maxsize M -n N
//	    P producer tasks put N items in total into one queue of maxsize M
//	    (0 = unbounded), C consumer tasks get N items in total; each
//	    producer puts N/P, each consumer gets N/C. One op is one item.
//	    P=C=1, M=1 is the queue hand-off between two tasks.
//	tothread -n N
//	    One task awaits N calls, one after the other, of a function that
//	    returns at once, run on the default executor (ToThread). One op is
//	    one round trip.
//
// Each prints one JSON line: workload, n, wall_ns, ns_per_op, and the
// parameters. Timing starts when the tasks are ready and ends when the
// last one is done. -warmup W first runs the same workload with W ops on
// the same loop, untimed (every program of bench/run.sh handoff has this flag: it
// lets Node's JIT compile the code, and the Go heap reach its size).

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

// warm runs work with warmup ops (if any), then with n ops, in one Run, and
// returns the second result.
func warm(warmup, n int, work func(ctx context.Context, n int) (map[string]any, error)) (map[string]any, error) {
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		if warmup > 0 {
			if _, err := work(ctx, warmup); err != nil {
				return nil, err
			}
		}
		out, err := work(ctx, n)
		if out != nil {
			out["warmup"] = warmup
		}
		return out, err
	})
}

type lockLike interface {
	Acquire(context.Context) error
	Release()
}

func handoff(ctx context.Context, prim string, n int) (map[string]any, error) {
	per := n / 2
	var a, b func(ctx context.Context, id int) error
	var start func()
	owner, changes := -1, 0
	switch prim {
	case "lock", "semaphore":
		var l lockLike = asyncio.NewLock()
		if prim == "semaphore" {
			l = asyncio.NewSemaphore(1)
		}
		if err := l.Acquire(ctx); err != nil {
			return nil, err
		}
		a = func(ctx context.Context, id int) error {
			if err := l.Acquire(ctx); err != nil {
				return err
			}
			if owner != id {
				owner = id
				changes++
			}
			l.Release()
			return nil
		}
		b, start = a, l.Release
	case "event":
		ea, eb := asyncio.NewEvent(), asyncio.NewEvent()
		a = func(ctx context.Context, _ int) error {
			eb.Set()
			if err := ea.Wait(ctx); err != nil {
				return err
			}
			ea.Clear()
			return nil
		}
		b = func(ctx context.Context, _ int) error {
			if err := eb.Wait(ctx); err != nil {
				return err
			}
			eb.Clear()
			ea.Set()
			return nil
		}
		start = func() {}
	default:
		return nil, fmt.Errorf("unknown -prim %q (lock|semaphore|event)", prim)
	}
	loop := func(body func(ctx context.Context, id int) error, id int) func(ctx context.Context) (int, error) {
		return func(ctx context.Context) (int, error) {
			for range per {
				if err := body(ctx, id); err != nil {
					return 0, err
				}
			}
			return 0, nil
		}
	}
	ta := asyncio.Spawn(ctx, loop(a, 0))
	tb := asyncio.Spawn(ctx, loop(b, 1))
	asyncio.Sleep(ctx, 0) // both tasks are at their first wait
	t0 := time.Now()
	start()
	for _, t := range []*asyncio.Task[int]{ta, tb} {
		if _, err := t.Wait(ctx); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0)
	out := map[string]any{
		"workload": "handoff", "prim": prim, "n": 2 * per, "wall_ns": el.Nanoseconds(),
		"ns_per_op": perOp(el, 2*per),
	}
	if prim != "event" {
		out["handoffs"] = changes
	}
	return out, nil
}

func queue(ctx context.Context, producers, consumers, maxsize, n int) (map[string]any, error) {
	producers, consumers = max(producers, 1), max(consumers, 1)
	q := asyncio.NewQueue[int](maxsize)
	share := func(i, k int) int {
		s := n / k
		if i < n%k {
			s++
		}
		return s
	}
	t0 := time.Now()
	ts := make([]*asyncio.Task[int], 0, producers+consumers)
	for i := range producers {
		m := share(i, producers)
		ts = append(ts, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for j := range m {
				if err := q.Put(ctx, j); err != nil {
					return 0, err
				}
			}
			return 0, nil
		}))
	}
	for i := range consumers {
		m := share(i, consumers)
		ts = append(ts, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for range m {
				if _, err := q.Get(ctx); err != nil {
					return 0, err
				}
			}
			return 0, nil
		}))
	}
	for _, t := range ts {
		if _, err := t.Wait(ctx); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0)
	return map[string]any{
		"workload": "queue", "producers": producers, "consumers": consumers, "maxsize": maxsize,
		"n": n, "wall_ns": el.Nanoseconds(), "ns_per_op": perOp(el, n),
		"items_per_s": float64(n) / el.Seconds(),
	}, nil
}

func toThread(ctx context.Context, n int) (map[string]any, error) {
	fn := func() (int, error) { return 1, nil }
	if _, err := asyncio.ToThread(ctx, fn); err != nil { // the executor exists
		return nil, err
	}
	t0 := time.Now()
	for range n {
		if _, err := asyncio.ToThread(ctx, fn); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0)
	return map[string]any{
		"workload": "tothread", "n": n, "wall_ns": el.Nanoseconds(), "ns_per_op": perOp(el, n),
	}, nil
}
