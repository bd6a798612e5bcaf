package asyncio_test

// Benchmarks of the runtime's hot paths, measured against the goals of the
// brief (§6). Run them pinned to one core, so that the Go runtime uses one P
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
// switch to the other goroutine (the harness's go-gosched peer).
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
