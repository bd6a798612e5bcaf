package main

import (
	"math/rand"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

// spawn starts n goroutines that each yield once (runtime.Gosched, the
// nearest thing to asyncio.sleep(0)) and waits for them all. Goroutines
// are preemptible, so some end before the last has started: the peak
// memory is not that of n suspended goroutines.
func spawn(n int) (map[string]any, error) {
	rss0 := vmrssKB()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(n)
	for range n {
		go func() {
			runtime.Gosched()
			wg.Done()
		}()
	}
	wg.Wait()
	d := time.Since(start)
	return map[string]any{"n": n, "wall_ns": d.Nanoseconds(), "ns_per_task": perOp(d, n), "rss0_kb": rss0}, nil
}

// switchCost runs tasks goroutines sharing total switches. Mode gosched:
// each calls runtime.Gosched in a loop (with GOMAXPROCS=1 every call runs
// the next goroutine). Mode chan: the goroutines form a ring of channels
// of capacity 1 and pass a token around it: each pass readies the next
// goroutine and blocks the sender, one switch. With one goroutine it
// sends to itself, which does not switch at all: read tasks=1 as the cost
// of the channel operations alone.
func switchCost(mode string, tasks, total int) (map[string]any, error) {
	tasks = max(tasks, 1)
	each := total / tasks
	ops := each * tasks
	rss0 := vmrssKB()
	start := time.Now()
	var wg sync.WaitGroup
	wg.Add(tasks)
	switch mode {
	case "gosched":
		for range tasks {
			go func() {
				defer wg.Done()
				for range each {
					runtime.Gosched()
				}
			}()
		}
	case "chan":
		ring := make([]chan struct{}, tasks)
		for i := range ring {
			ring[i] = make(chan struct{}, 1)
		}
		for i := range tasks {
			in, out := ring[i], ring[(i+1)%tasks]
			go func() {
				defer wg.Done()
				for j := range each {
					<-in
					if i < tasks-1 || j < each-1 {
						out <- struct{}{}
					}
				}
			}()
		}
		ring[0] <- struct{}{}
	default:
		return nil, errorf("unknown mode %q (have gosched, chan)", mode)
	}
	wg.Wait()
	d := time.Since(start)
	return map[string]any{"tasks": tasks, "total": ops, "mode": mode, "wall_ns": d.Nanoseconds(),
		"ns_per_switch": perOp(d, ops), "rss0_kb": rss0}, nil
}

// timers schedules n time.AfterFunc callbacks with delays uniform integer
// milliseconds in [0, maxms] (seeded), and times the span from the first
// AfterFunc to the last callback. Each callback runs on a goroutine of
// its own, so the count is kept under a mutex.
func timers(n, maxms int) (map[string]any, error) {
	rng := rand.New(rand.NewSource(42))
	delays := make([]time.Duration, n)
	var longest time.Duration
	for i := range delays {
		delays[i] = time.Duration(rng.Intn(maxms+1)) * time.Millisecond
		longest = max(longest, delays[i])
	}
	rss0 := vmrssKB()
	var mu sync.Mutex
	fired := 0
	done := make(chan time.Time, 1)
	fire := func() {
		mu.Lock()
		fired++
		last := fired == n
		mu.Unlock()
		if last {
			done <- time.Now()
		}
	}
	start := time.Now()
	for _, d := range delays {
		time.AfterFunc(d, fire)
	}
	scheduled := time.Since(start)
	total := (<-done).Sub(start)
	return map[string]any{"n": n, "schedule_ms": ms(scheduled), "total_ms": ms(total), "max_delay_ms": ms(longest),
		"overshoot_ms": ms(total - longest), "rss0_kb": rss0}, nil
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// vmrssKB returns VmRSS from /proc/self/status, in KiB (0 where there is none).
func vmrssKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			if f := strings.Fields(v); len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}
