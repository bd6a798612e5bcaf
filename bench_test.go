package asyncio_test

// Benchmarks of the runtime's hot paths, measured against the goals in
// BENCHMARKS.md. Run them pinned to one core, so that the Go runtime uses one P
// like the loop does:
//
//	taskset -c 1 go test -run XXX -bench . -benchmem -count 5 .
//
// Every benchmark reports ns/op and allocs/op for one unit of work (one
// switch, one task, one callback, one timer, one hand-off); the custom
// metrics say what that unit is when it is not obvious. BenchmarkFloor* are
// not the library: they measure the runtime mechanisms it is built on
// (iter.Pull, runtime.Gosched, channels) on the machine at hand, which bound
// what the library can reach. BENCHMARKS.md records the results.

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ---------------------------------------------------------------- switches

// BenchmarkSwitch measures Sleep(ctx, 0) — one loop iteration given up and
// resumed — with 1 task and with 1,000 tasks taking turns. One op is one
// Sleep(ctx, 0) of one task, so ns/op is the cost of one task switch.
func BenchmarkSwitch(b *testing.B) {
	b.Run("tasks=1", func(b *testing.B) {
		b.ReportAllocs()
		_, err := asyncio.Run(func(ctx context.Context) (int, error) {
			asyncio.Sleep(ctx, 0) // the loop and the task are warm
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return 0, err
				}
			}
			b.StopTimer()
			return 0, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	})
	for _, tasks := range []int{10, 1000} {
		b.Run(fmt.Sprintf("tasks=%d", tasks), func(b *testing.B) {
			b.ReportAllocs()
			_, err := asyncio.Run(func(ctx context.Context) (int, error) {
				// Every worker takes one of the b.N switches at a time until
				// none are left; the loop is single-threaded, so a plain
				// counter is enough. The workers first park on a start
				// future so that spawning them stays out of the timing.
				left := b.N
				start := asyncio.NewFuture[struct{}](ctx)
				ts := make([]*asyncio.Task[int], tasks)
				for i := range ts {
					ts[i] = asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
						if _, err := start.Wait(ctx); err != nil {
							return 0, err
						}
						for left > 0 {
							left--
							if err := asyncio.Sleep(ctx, 0); err != nil {
								return 0, err
							}
						}
						return 0, nil
					})
				}
				asyncio.Sleep(ctx, 0) // every worker is parked on start
				b.ResetTimer()
				start.SetResult(struct{}{})
				for _, t := range ts {
					if _, err := t.Wait(ctx); err != nil {
						return 0, err
					}
				}
				b.StopTimer()
				return 0, nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// ---------------------------------------------------------------- spawn

// BenchmarkSpawnAwait spawns tasks that each do one Sleep(ctx, 0), in batches
// of N that are all alive at once, and awaits every one (the peers'
// task-spawn workload). One op is one task: ns/op is spawn + first step +
// one switch + end + await, allocs/op and B/op are per task. B/task(mem) is
// the growth of HeapInuse+StackInuse per task while a batch of N tasks is
// suspended (after a GC at both ends, so it is live memory, not garbage);
// heapB/task and stackB/task are its two parts.
//
// The stack part depends on the runtime's adaptive initial stack size
// (GODEBUG adaptivestackstart, on by default): new goroutines start with
// the average stack size the last GC saw, rounded up to a power of two. In
// a test binary the testing goroutines' deep stacks can make that 4 KiB
// instead of the 2 KiB minimum; the peer program (cmd/asyncio-bench -mem)
// measures a fresh process.
func BenchmarkSpawnAwait(b *testing.B) {
	for _, n := range []int{1000, 100_000, 1_000_000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var heapPer, stackPer float64
			_, err := asyncio.Run(func(ctx context.Context) (int, error) {
				ts := make([]*asyncio.Task[struct{}], n)
				child := func(ctx context.Context) (struct{}, error) {
					return struct{}{}, asyncio.Sleep(ctx, 0)
				}
				b.ResetTimer()
				for done := 0; done < b.N; {
					k := min(n, b.N-done)
					measure := done == 0 && k >= 1000
					var before runtime.MemStats
					if measure {
						b.StopTimer()
						runtime.GC()
						runtime.ReadMemStats(&before)
						b.StartTimer()
					}
					for i := range k {
						ts[i] = asyncio.Spawn(ctx, child)
					}
					// The children were queued before this Sleep: when it
					// returns, each has run its first step and is
					// suspended in its own Sleep(ctx, 0).
					asyncio.Sleep(ctx, 0)
					if measure {
						b.StopTimer()
						var during runtime.MemStats
						runtime.GC()
						runtime.ReadMemStats(&during)
						heapPer = float64(int64(during.HeapInuse)-int64(before.HeapInuse)) / float64(k)
						stackPer = float64(int64(during.StackInuse)-int64(before.StackInuse)) / float64(k)
						b.StartTimer()
					}
					for _, t := range ts[:k] {
						if _, err := t.Wait(ctx); err != nil {
							return 0, err
						}
					}
					clear(ts[:k])
					done += k
				}
				b.StopTimer()
				return 0, nil
			})
			if err != nil {
				b.Fatal(err)
			}
			if heapPer != 0 || stackPer != 0 {
				b.ReportMetric(heapPer+stackPer, "B/task(mem)")
				b.ReportMetric(heapPer, "heapB/task")
				b.ReportMetric(stackPer, "stackB/task")
			}
		})
	}
}

// BenchmarkSpawnNamed measures Spawn with a Name option, as a server
// naming each request's task does: one op is one task spawned and awaited
// (the name is made per op, as a request's would be).
func BenchmarkSpawnNamed(b *testing.B) {
	b.ReportAllocs()
	names := []string{"GET /a", "GET /b"}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		child := func(ctx context.Context) (struct{}, error) { return struct{}{}, nil }
		i := 0
		for b.Loop() {
			t := asyncio.Spawn(ctx, child, asyncio.Name(names[i&1]))
			i++
			if _, err := t.Wait(ctx); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// ---------------------------------------------------------------- CallSoon

// BenchmarkCallSoon measures the ready queue with callbacks alone, in steady
// state. One op is one callback scheduled by CallSoon and run by the loop.
//
//   - self: one callback that reschedules itself, so every loop iteration
//     runs one callback (the iteration's own cost is included);
//   - batch=K: K callbacks that each reschedule themselves, so every
//     iteration runs K of them.
//
// allocs/callback is the exact (fractional) count of allocations per
// callback: the loop hands out Handles from blocks, so it is below 1 even
// when allocs/op rounds to 0.
func BenchmarkCallSoon(b *testing.B) {
	for _, k := range []int{1, 1000} {
		name := "self"
		if k > 1 {
			name = fmt.Sprintf("batch=%d", k)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			l := asyncio.NewLoop()
			defer l.Close()
			left := b.N
			fns := make([]func(), k)
			for i := range fns {
				fns[i] = func() {
					if left <= 0 {
						return
					}
					left--
					if left == 0 {
						l.Stop()
						return
					}
					l.CallSoon(fns[i])
				}
			}
			// Warm up: the ready queue and the handle blocks reach their
			// steady-state sizes before the timing starts.
			warm := 0
			var w func()
			w = func() {
				if warm++; warm < 4*k {
					l.CallSoon(w)
				} else if warm == 4*k {
					l.Stop() // the k-1 still queued do nothing when run
				}
			}
			for range k {
				l.CallSoon(w)
			}
			l.RunForever()

			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			b.ResetTimer()
			for _, f := range fns {
				l.CallSoon(f)
			}
			if err := l.RunForever(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			runtime.ReadMemStats(&m1)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "callbacks/s")
			b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N), "allocs/callback")
		})
	}
}

// ---------------------------------------------------------------- timers

// BenchmarkCallLater measures timers in steady state: `pending` timers are
// outstanding at all times, and each one that fires schedules the next with
// CallLater. One op is one timer scheduled and fired.
//
//   - clock=virtual: delays uniform integer ms in [0, 1 s] (the timers
//     workload's distribution), on a VirtualClock, which jumps to the next
//     timer when nothing else is ready: this isolates the heap and the loop
//     from waiting. pending=1000000 is the 1M-timer heap.
//   - clock=real: the default monotonic clock, delays of 0 (due at once, so
//     the loop never sleeps): the heap plus a clock read per CallLater and
//     per iteration.
func BenchmarkCallLater(b *testing.B) {
	cases := []struct {
		clock   string
		pending int
	}{
		{"virtual", 1000},
		{"virtual", 1_000_000},
		{"real", 1},
		{"real", 1000},
	}
	for _, c := range cases {
		b.Run(fmt.Sprintf("clock=%s/pending=%d", c.clock, c.pending), func(b *testing.B) {
			b.ReportAllocs()
			var opts []asyncio.Option
			if c.clock == "virtual" {
				opts = append(opts, asyncio.WithClock(asyncio.NewVirtualClock()))
			}
			l := asyncio.NewLoop(opts...)
			defer l.Close()
			rng := rand.New(rand.NewPCG(42, 42))
			delay := func() time.Duration {
				if c.clock == "real" {
					return 0
				}
				return time.Duration(rng.IntN(1001)) * time.Millisecond
			}
			left := b.N
			var fire func()
			fire = func() {
				if left <= 0 {
					return
				}
				left--
				if left == 0 {
					l.Stop()
					return
				}
				l.CallLater(delay(), fire)
			}
			for range c.pending {
				l.CallLater(delay(), fire)
			}
			b.ResetTimer()
			if err := l.RunForever(); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "timers/s")
		})
	}
}

// ---------------------------------------------------------------- futures

// BenchmarkFutureHandoff measures a Future resolved by one task and awaited
// by another, ping-pong: each side resolves the future the other waits on,
// passing along the next future to answer on, then waits on its own. One op
// is one hand-off (NewFuture + SetResult + the waiter's wake-up and switch);
// a round trip is two ops.
func BenchmarkFutureHandoff(b *testing.B) {
	type ball struct{ reply *asyncio.Future[ball] }
	b.ReportAllocs()
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		first := asyncio.NewFuture[ball](ctx)
		pong := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			mine := first
			for {
				v, err := mine.Wait(ctx)
				if err != nil || v.reply == nil {
					return 0, err
				}
				mine = asyncio.NewFuture[ball](ctx)
				v.reply.SetResult(ball{reply: mine})
			}
		})
		asyncio.Sleep(ctx, 0) // pong waits on first
		peer := first
		b.ResetTimer()
		for i := 0; i < b.N; i += 2 {
			mine := asyncio.NewFuture[ball](ctx)
			peer.SetResult(ball{reply: mine})
			v, err := mine.Wait(ctx)
			if err != nil {
				return 0, err
			}
			peer = v.reply
		}
		b.StopTimer()
		peer.SetResult(ball{})
		return pong.Wait(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
}

// ---------------------------------------------------------------- floors

// BenchmarkFloorIterPull is the mechanism a task switch is built on: one
// next() of an iter.Pull coroutine whose body yields in a loop, that is one
// resume and one yield (two coroutine switches). Sleep(ctx, 0) cannot cost
// less than this.
func BenchmarkFloorIterPull(b *testing.B) {
	b.ReportAllocs()
	next, stop := iter.Pull(func(yield func(struct{}) bool) {
		for yield(struct{}{}) {
		}
	})
	defer stop()
	next()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		next()
	}
}

// BenchmarkFloorIterPullCreate is the fixed cost of a coroutine: iter.Pull
// (goroutine creation), the first resume, and the end of the body. Spawn
// cannot cost less than this per task.
func BenchmarkFloorIterPullCreate(b *testing.B) {
	b.ReportAllocs()
	seq := func(yield func(struct{}) bool) { yield(struct{}{}) }
	for i := 0; i < b.N; i++ {
		next, stop := iter.Pull(seq)
		next()
		next()
		stop()
	}
}

// BenchmarkFloorGosched is the Go scheduler's own switch: g goroutines that
// call runtime.Gosched in turn; with GOMAXPROCS=1 and g=2 every call is one
// switch to the other goroutine (the Go peer of bench/run.sh switch).
func BenchmarkFloorGosched(b *testing.B) {
	for _, g := range []int{1, 2} {
		b.Run(fmt.Sprintf("goroutines=%d", g), func(b *testing.B) {
			b.ReportAllocs()
			done := make(chan struct{})
			per := b.N / g
			b.ResetTimer()
			for range g {
				go func() {
					for range per {
						runtime.Gosched()
					}
					done <- struct{}{}
				}()
			}
			for range g {
				<-done
			}
		})
	}
}

// BenchmarkFloorChanPingPong is a hand-off between two goroutines over
// unbuffered channels. One op is one hand-off (half a round trip).
func BenchmarkFloorChanPingPong(b *testing.B) {
	b.ReportAllocs()
	ping, pong := make(chan int), make(chan int)
	go func() {
		for v := range ping {
			pong <- v
		}
		close(pong)
	}()
	b.ResetTimer()
	for i := 0; i < b.N; i += 2 {
		ping <- i
		<-pong
	}
	b.StopTimer()
	close(ping)
	<-pong
}

// BenchmarkFloorSuspended is the memory floor of a suspended task: batches of
// 100,000 goroutines blocked on a channel, or iter.Pull coroutines suspended
// in yield, all alive at once. One op is one goroutine or coroutine created,
// run to its suspension point and later ended; B/task(mem) is the growth of
// HeapInuse+StackInuse per one while a batch is suspended, measured as in
// BenchmarkSpawnAwait. In this warm test binary the g structs of ended
// goroutines are reused (so heapB/task leaves them out) and the adaptive
// initial stack size is usually 4 KiB; `asyncio-bench floor` measures the
// same in a fresh process, which is the figure to compare with.
func BenchmarkFloorSuspended(b *testing.B) {
	const n = 100_000
	for _, kind := range []string{"goroutine", "iter.Pull"} {
		b.Run(kind, func(b *testing.B) {
			b.ReportAllocs()
			var heapPer, stackPer float64
			release := make(chan struct{})
			var wg sync.WaitGroup
			nexts := make([]func() (struct{}, bool), n)
			seq := func(yield func(struct{}) bool) { yield(struct{}{}) }
			b.ResetTimer()
			for done := 0; done < b.N; {
				k := min(n, b.N-done)
				measure := done == 0 && k >= 1000
				var before runtime.MemStats
				if measure {
					b.StopTimer()
					runtime.GC()
					runtime.ReadMemStats(&before)
					b.StartTimer()
				}
				if kind == "goroutine" {
					release = make(chan struct{})
					wg.Add(k)
					for range k {
						go func() { <-release; wg.Done() }()
					}
					runtime.Gosched() // with one P, each runs to <-release
				} else {
					for i := range k {
						next, _ := iter.Pull(seq)
						next()
						nexts[i] = next
					}
				}
				if measure {
					b.StopTimer()
					var during runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&during)
					heapPer = float64(int64(during.HeapInuse)-int64(before.HeapInuse)) / float64(k)
					stackPer = float64(int64(during.StackInuse)-int64(before.StackInuse)) / float64(k)
					b.StartTimer()
				}
				if kind == "goroutine" {
					close(release)
					wg.Wait()
				} else {
					for i := range k {
						nexts[i]()
						nexts[i] = nil
					}
				}
				done += k
			}
			b.StopTimer()
			if heapPer != 0 || stackPer != 0 {
				b.ReportMetric(heapPer+stackPer, "B/task(mem)")
				b.ReportMetric(heapPer, "heapB/task")
				b.ReportMetric(stackPer, "stackB/task")
			}
		})
	}
}

// BenchmarkFloorClock is the cost of reading the monotonic clock, which the
// loop does in every CallLater and in every iteration that has timers:
// time.Since of a monotonic time.Time (one nanotime read).
func BenchmarkFloorClock(b *testing.B) {
	t0 := time.Now()
	var d time.Duration
	for i := 0; i < b.N; i++ {
		d += time.Since(t0)
	}
	if d < 0 {
		b.Fatal(d)
	}
}

// BenchmarkFloorMutex is one uncontended sync.Mutex Lock+Unlock pair, which
// the loop takes in every push onto its ready queue and in every iteration.
func BenchmarkFloorMutex(b *testing.B) {
	var mu sync.Mutex
	n := 0
	for i := 0; i < b.N; i++ {
		mu.Lock()
		n++
		mu.Unlock()
	}
	if n != b.N {
		b.Fatal(n)
	}
}

// ---------------------------------------------------------------- coordination primitives
//
// The goal of §6: a Lock, Semaphore or Queue hand-off between two tasks in
// ≤ 300 ns. A hand-off is one task giving the other what it waits for (the
// lock, a permit, an item, an event) and the other resuming with it: one
// grant plus at least one task switch. The peer program
// (cmd/asyncio-bench handoff|queue|tothread) and the peers in bench/peers
// run the same workloads; bench/coord.sh puts them side by side.

// handoffPair runs two tasks, a and b, that each call their body per times,
// after the main task has let both reach their first wait; the timing
// covers the two bodies only. start is called, timer running, once both
// tasks are parked (for the Lock, releasing the lock held by main).
func handoffPair(b *testing.B, per int, start func(), a, bb func(ctx context.Context, i int) error) {
	b.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		run := func(body func(ctx context.Context, i int) error) func(ctx context.Context) (int, error) {
			return func(ctx context.Context) (int, error) {
				for i := range per {
					if err := body(ctx, i); err != nil {
						return 0, err
					}
				}
				return 0, nil
			}
		}
		ta := asyncio.Spawn(ctx, run(a))
		tb := asyncio.Spawn(ctx, run(bb))
		asyncio.Sleep(ctx, 0) // both tasks are at their first wait
		b.ResetTimer()
		start()
		if _, err := ta.Wait(ctx); err != nil {
			return 0, err
		}
		if _, err := tb.Wait(ctx); err != nil {
			return 0, err
		}
		b.StopTimer()
		return 0, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// lockLike is Lock and Semaphore.
type lockLike interface {
	Acquire(context.Context) error
	Release()
}

// benchLockHandoff: two tasks each loop {Acquire; Release}, b.N/2 times.
// The main task holds the lock until both wait for it, so every Release
// finds the other task waiting and hands the lock to it (the primitives
// are FIFO and hand over directly; the releasing task's next Acquire
// queues behind). One op is one acquisition = one hand-off; handoffs/op
// counts the acquisitions that changed owner and must be ≈ 1.
func benchLockHandoff(b *testing.B, l lockLike) {
	b.ReportAllocs()
	per := b.N / 2
	owner, changes := -1, 0
	body := func(id int) func(ctx context.Context, i int) error {
		return func(ctx context.Context, i int) error {
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
	}
	if err := l.Acquire(context.Background()); err != nil { // main's hold, released by start
		b.Fatal(err)
	}
	handoffPair(b, per, l.Release, body(0), body(1))
	if per > 0 {
		b.ReportMetric(float64(changes)/float64(2*per), "handoffs/op")
	}
}

// BenchmarkLockHandoff: a Lock handed back and forth between two tasks
// (benchLockHandoff). ns/op is ns per hand-off.
func BenchmarkLockHandoff(b *testing.B) {
	benchLockHandoff(b, asyncio.NewLock())
}

// BenchmarkSemaphoreHandoff: value=1 is a Semaphore(1) used as the Lock is
// (benchLockHandoff). value=0 is two Semaphore(0)s in ping-pong: task a
// loops {s1.Release; s2.Acquire}, task b {s1.Acquire; s2.Release}, so
// every Release hands its permit to the other task, waiting in Acquire.
// ns/op is ns per hand-off (a round trip is two).
func BenchmarkSemaphoreHandoff(b *testing.B) {
	b.Run("value=1", func(b *testing.B) { benchLockHandoff(b, asyncio.NewSemaphore(1)) })
	b.Run("value=0", func(b *testing.B) {
		b.ReportAllocs()
		s1, s2 := asyncio.NewSemaphore(0), asyncio.NewSemaphore(0)
		handoffPair(b, b.N/2, func() {},
			func(ctx context.Context, _ int) error { s1.Release(); return s2.Acquire(ctx) },
			func(ctx context.Context, _ int) error {
				if err := s1.Acquire(ctx); err != nil {
					return err
				}
				s2.Release()
				return nil
			})
	})
}

// BenchmarkEventPingPong: two Events in ping-pong between two tasks; task
// a loops {eb.Set; ea.Wait; ea.Clear}, task b {eb.Wait; eb.Clear; ea.Set}.
// One op is one Set that wakes the other task (a round trip is two).
func BenchmarkEventPingPong(b *testing.B) {
	b.ReportAllocs()
	ea, eb := asyncio.NewEvent(), asyncio.NewEvent()
	handoffPair(b, b.N/2, func() {},
		func(ctx context.Context, _ int) error {
			eb.Set()
			if err := ea.Wait(ctx); err != nil {
				return err
			}
			ea.Clear()
			return nil
		},
		func(ctx context.Context, _ int) error {
			if err := eb.Wait(ctx); err != nil {
				return err
			}
			eb.Clear()
			ea.Set()
			return nil
		})
}

// queueRun has p producer tasks put n items in total into q and c consumer
// tasks get n items in total (each producer puts n/p, each consumer gets
// n/c, the remainder spread over the first ones), and times it from the
// first Put to the last Get.
func queueRun(b *testing.B, q *asyncio.Queue[int], n, p, c int) {
	b.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		share := func(i, k int) int {
			s := n / k
			if i < n%k {
				s++
			}
			return s
		}
		ts := make([]*asyncio.Task[int], 0, p+c)
		b.ResetTimer()
		for i := range p {
			m := share(i, p)
			ts = append(ts, asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				for j := range m {
					if err := q.Put(ctx, j); err != nil {
						return 0, err
					}
				}
				return 0, nil
			}))
		}
		for i := range c {
			m := share(i, c)
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
				return 0, err
			}
		}
		b.StopTimer()
		return 0, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkQueueHandoff: one producer task puts b.N items, one consumer
// task gets them. maxsize=1: the producer waits on every other Put, so
// items pass one by one, with about one task switch per item. maxsize=0
// (unbounded): Put never waits, so the producer queues all the items
// (asyncio's put does not yield either) and the consumer takes them:
// the cost of Put + Get without switches. One op is one item.
func BenchmarkQueueHandoff(b *testing.B) {
	for _, m := range []int{1, 0} {
		b.Run(fmt.Sprintf("maxsize=%d", m), func(b *testing.B) {
			b.ReportAllocs()
			queueRun(b, asyncio.NewQueue[int](m), b.N, 1, 1)
		})
	}
}

// BenchmarkQueueThroughput: p producer tasks and c consumer tasks share a
// Queue of maxsize 100. One op is one item; items/s is the throughput.
func BenchmarkQueueThroughput(b *testing.B) {
	for _, pc := range []int{1, 10} {
		b.Run(fmt.Sprintf("p=%d,c=%d,maxsize=100", pc, pc), func(b *testing.B) {
			b.ReportAllocs()
			queueRun(b, asyncio.NewQueue[int](100), b.N, pc, pc)
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkQueueFromGoroutine: a plain goroutine (not a task) puts b.N
// items into a Queue that one task gets: the bridge from ordinary Go code
// into the loop. The goroutine blocks on a full queue; the loop sleeps
// while the queue is empty and is woken by the goroutine's Put. One op is
// one item.
func BenchmarkQueueFromGoroutine(b *testing.B) {
	for _, m := range []int{1, 0} {
		b.Run(fmt.Sprintf("maxsize=%d", m), func(b *testing.B) {
			b.ReportAllocs()
			q := asyncio.NewQueue[int](m)
			_, err := asyncio.Run(func(ctx context.Context) (int, error) {
				b.ResetTimer()
				go func() {
					for i := range b.N {
						if err := q.Put(context.Background(), i); err != nil {
							panic(err)
						}
					}
				}()
				for range b.N {
					if _, err := q.Get(ctx); err != nil {
						return 0, err
					}
				}
				b.StopTimer()
				return 0, nil
			})
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkToThread: a task calls ToThread with a function that returns at
// once, in a loop. One op is one round trip: submit to the default
// executor (a goroutine is started, as the pool keeps none idle), run fn,
// resolve the future from that goroutine, wake the loop, resume the task.
func BenchmarkToThread(b *testing.B) {
	b.ReportAllocs()
	fn := func() (int, error) { return 1, nil }
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		if _, err := asyncio.ToThread(ctx, fn); err != nil { // the pool exists
			return 0, err
		}
		b.ResetTimer()
		for range b.N {
			if _, err := asyncio.ToThread(ctx, fn); err != nil {
				return 0, err
			}
		}
		b.StopTimer()
		return 0, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkFloorHandoffChanToken is the Go runtime's own hand-off of a lock
// between two goroutines: a buffered channel of capacity 1 used as a lock
// (send = acquire, receive = release), which is FIFO and hands the slot to
// the blocked sender directly, as Lock does. Two goroutines each loop
// {acquire; release} b.N/2 times, starting with both waiting. One op is one
// acquisition. Unlike tasks, goroutines are preempted (every 10 ms): one
// preempted between its release and its next acquire lets the other
// re-acquire without waiting, and the two then run unsynchronised until a
// preemption lands inside a hold. handoffs/op is the fraction of
// acquisitions that changed owner; below 1, ns/op is partly the cheaper
// uncontended path.
func BenchmarkFloorHandoffChanToken(b *testing.B) {
	b.ReportAllocs()
	tok := make(chan struct{}, 1)
	tok <- struct{}{} // held by the benchmark until both wait
	per := b.N / 2
	owner, changes := -1, 0 // touched only while holding tok
	var wg sync.WaitGroup
	wg.Add(2)
	for id := range 2 {
		go func() {
			defer wg.Done()
			for range per {
				tok <- struct{}{}
				if owner != id {
					owner, changes = id, changes+1
				}
				<-tok
			}
		}()
	}
	runtime.Gosched() // with one P, both are now blocked in the send
	b.ResetTimer()
	<-tok
	wg.Wait()
	b.StopTimer()
	if per > 0 {
		b.ReportMetric(float64(changes)/float64(2*per), "handoffs/op")
	}
}

// BenchmarkFloorToThreadGoroutine is the floor of ToThread: start a
// goroutine that runs fn and sends the result back on a channel, and
// receive it. One op is one round trip.
func BenchmarkFloorToThreadGoroutine(b *testing.B) {
	b.ReportAllocs()
	fn := func() (int, error) { return 1, nil }
	ch := make(chan int)
	for range b.N {
		go func() { v, _ := fn(); ch <- v }()
		<-ch
	}
}
