// The coordination workloads of bench/run.sh's handoff workload, with
// plain Go: goroutines instead of tasks, the runtime's own primitives
// instead of the library's (cmd/asyncio-bench handoff, queue, tothread;
// bench/peers/coord_asyncio.py, coord_trio.py and coord_node.js run the
// same workloads).
//
//	gostd -impl chan|sync handoff -prim lock|semaphore|event -n N
//	gostd -impl chan queue -producers P -consumers C -maxsize M -n N
//	gostd -impl chan tothread -n N
//
// The workloads (see coord_asyncio.py for the reference semantics):
//
//   - handoff lock|semaphore: a lock handed back and forth between two
//     goroutines, each looping N/2 times {acquire; release}, started while
//     the main goroutine holds the lock and released once both wait.
//     -impl chan: a channel of capacity 1 used as the lock (send acquires,
//     receive releases), Go's semaphore idiom. Channels are FIFO and a
//     receive moves a blocked sender's value into the buffer and readies
//     it, so the lock passes directly to the waiter, as in the asyncio
//     primitives. -impl sync -prim lock: sync.Mutex. It is not FIFO and
//     does not hand over: Unlock wakes a waiter but the unlocking goroutine
//     re-locks first (with one P the woken goroutine does not even run
//     until the other is preempted), and only after a waiter has starved
//     for 1 ms does the mutex switch to handing over. "handoffs" counts the
//     acquisitions that changed owner: for sync.Mutex it is far below N,
//     and ns_per_op is then the cost of an acquisition, not of a hand-off.
//   - handoff event: two events in ping-pong, goroutine a loops {eb.set;
//     ea.wait; ea.clear}, b {eb.wait; eb.clear; ea.set}. -impl chan: each
//     event is a channel of capacity 1 (set = non-blocking send, wait =
//     receive, which also clears it). -impl sync: an event made of a
//     sync.Mutex, a flag and a sync.Cond.
//   - queue (-impl chan): a channel of capacity M is the queue; for M = 0
//     (unbounded) the capacity is N, so that a send never blocks, as a put
//     into an unbounded queue never waits. P producers send N items in
//     total, C consumers receive N in total.
//   - tothread (-impl chan): start a goroutine that runs f and sends its
//     result back on a channel; receive it. One op is one round trip.
//
// -warmup W runs the same workload with W ops first, untimed. One JSON line
// out, with the fields of the other programs.

package main

import (
	"fmt"
	"runtime"
	"sync"
	"time"
)

func perOp(d time.Duration, n int) float64 { return float64(d.Nanoseconds()) / float64(max(n, 1)) }

// settle lets goroutines just started run up to the point where they block.
func settle() {
	for range 10 {
		runtime.Gosched()
	}
	time.Sleep(time.Millisecond)
}

type chanLock chan struct{}

func (c chanLock) acquire() { c <- struct{}{} }
func (c chanLock) release() { <-c }

type mutexLock struct{ sync.Mutex }

func (m *mutexLock) acquire() { m.Lock() }
func (m *mutexLock) release() { m.Unlock() }

type chanEvent chan struct{}

func (e chanEvent) set() {
	select {
	case e <- struct{}{}:
	default:
	}
}
func (e chanEvent) wait()  { <-e }
func (e chanEvent) clear() {} // the receive in wait consumed the signal

type condEvent struct {
	mu   sync.Mutex
	cond sync.Cond
	flag bool
}

func newCondEvent() *condEvent { e := &condEvent{}; e.cond.L = &e.mu; return e }
func (e *condEvent) set() {
	e.mu.Lock()
	if !e.flag {
		e.flag = true
		e.cond.Broadcast()
	}
	e.mu.Unlock()
}
func (e *condEvent) wait() {
	e.mu.Lock()
	for !e.flag {
		e.cond.Wait()
	}
	e.mu.Unlock()
}
func (e *condEvent) clear() { e.mu.Lock(); e.flag = false; e.mu.Unlock() }

type event interface {
	set()
	wait()
	clear()
}

func handoff(impl, prim string, n int) (map[string]any, error) {
	per := n / 2
	var wg sync.WaitGroup
	wg.Add(2)
	out := map[string]any{"workload": "handoff", "prim": prim, "n": 2 * per}
	var t0 time.Time
	switch prim {
	case "lock", "semaphore":
		var l interface {
			acquire()
			release()
		}
		switch {
		case impl == "chan":
			l = make(chanLock, 1)
		case impl == "sync" && prim == "lock":
			l = &mutexLock{}
		default:
			return nil, fmt.Errorf("no %s %s", impl, prim)
		}
		// owner and changes are only touched while holding the lock.
		owner, changes := -1, 0
		l.acquire()
		for id := range 2 {
			go func() {
				defer wg.Done()
				for range per {
					l.acquire()
					if owner != id {
						owner, changes = id, changes+1
					}
					l.release()
				}
			}()
		}
		settle() // both wait in acquire
		t0 = time.Now()
		l.release()
		wg.Wait()
		out["handoffs"] = changes
	case "event":
		var ea, eb event
		switch impl {
		case "chan":
			ea, eb = make(chanEvent, 1), make(chanEvent, 1)
		case "sync":
			ea, eb = newCondEvent(), newCondEvent()
		default:
			return nil, fmt.Errorf("no %s %s", impl, prim)
		}
		t0 = time.Now()
		go func() {
			defer wg.Done()
			for range per {
				eb.set()
				ea.wait()
				ea.clear()
			}
		}()
		go func() {
			defer wg.Done()
			for range per {
				eb.wait()
				eb.clear()
				ea.set()
			}
		}()
		wg.Wait()
	default:
		return nil, fmt.Errorf("unknown -prim %q", prim)
	}
	el := time.Since(t0)
	out["wall_ns"], out["ns_per_op"] = el.Nanoseconds(), perOp(el, 2*per)
	return out, nil
}

func queue(impl string, producers, consumers, maxsize, n int) (map[string]any, error) {
	if impl != "chan" {
		return nil, fmt.Errorf("no %s queue", impl)
	}
	producers, consumers = max(producers, 1), max(consumers, 1)
	capacity := maxsize
	if maxsize <= 0 {
		capacity = n
	}
	share := func(i, k int) int {
		s := n / k
		if i < n%k {
			s++
		}
		return s
	}
	q := make(chan int, capacity)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i := range producers {
		m := share(i, producers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range m {
				q <- j
			}
		}()
	}
	for i := range consumers {
		m := share(i, consumers)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range m {
				<-q
			}
		}()
	}
	wg.Wait()
	el := time.Since(t0)
	return map[string]any{
		"workload": "queue", "producers": producers, "consumers": consumers, "maxsize": maxsize,
		"n": n, "wall_ns": el.Nanoseconds(), "ns_per_op": perOp(el, n), "items_per_s": float64(n) / el.Seconds(),
	}, nil
}

func tothread(impl string, n int) (map[string]any, error) {
	if impl != "chan" {
		return nil, fmt.Errorf("no %s tothread", impl)
	}
	f := func() (int, error) { return 1, nil }
	ch := make(chan int)
	t0 := time.Now()
	for range n {
		go func() { v, _ := f(); ch <- v }()
		<-ch
	}
	el := time.Since(t0)
	return map[string]any{"workload": "tothread", "n": n, "wall_ns": el.Nanoseconds(), "ns_per_op": perOp(el, n)}, nil
}
