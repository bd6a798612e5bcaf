package asyncio

import (
	"sync"
	"sync/atomic"
	"time"
)

// lagBounds are the upper bounds of the lag histogram's buckets; a last
// bucket takes what is later than all of them.
var lagBounds = [...]time.Duration{
	50 * time.Microsecond, 100 * time.Microsecond, 250 * time.Microsecond, 500 * time.Microsecond,
	time.Millisecond, 2500 * time.Microsecond, 5 * time.Millisecond, 10 * time.Millisecond,
	25 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second,
}

// lagSeconds is how many seconds of worst lags a loop keeps for a chart.
const lagSeconds = 120

// A lagRecorder counts how late a loop's timers fire. The loop adds to it
// as it fires timers; a Snapshot reads it from any goroutine, even while
// the loop is stuck, so the counts are atomics and the per-second ring has
// its own lock, taken once per iteration that fires a timer.
type lagRecorder struct {
	buckets [len(lagBounds) + 1]atomic.Uint64
	count   atomic.Uint64
	max     atomic.Int64

	mu     sync.Mutex
	recent [lagSeconds]LagSample
	head   int // the slot of the latest second
	n      int // slots in use
}

// add counts one timer fired late by d; it returns d for the caller's
// per-iteration worst.
func (r *lagRecorder) add(d time.Duration) {
	i := 0
	for i < len(lagBounds) && d > lagBounds[i] {
		i++
	}
	r.buckets[i].Add(1)
	if int64(d) > r.max.Load() {
		r.max.Store(int64(d)) // only the loop stores: no lost update
	}
}

// iteration records the worst lag and the number of timers of one
// iteration that fired n timers at loop time now.
func (r *lagRecorder) iteration(now, worst time.Duration, n int) {
	r.count.Add(uint64(n))
	sec := now.Truncate(time.Second)
	r.mu.Lock()
	cur := &r.recent[r.head]
	if r.n == 0 || cur.At != sec {
		if r.n > 0 {
			r.head = (r.head + 1) % lagSeconds
		}
		r.n = min(r.n+1, lagSeconds)
		cur = &r.recent[r.head]
		*cur = LagSample{At: sec}
	}
	cur.Count += uint64(n)
	cur.Max = max(cur.Max, worst)
	r.mu.Unlock()
}

// stats returns the histogram and the recent seconds.
func (r *lagRecorder) stats() LagStats {
	s := LagStats{Count: r.count.Load(), Max: time.Duration(r.max.Load())}
	s.Buckets = make([]LagBucket, len(r.buckets))
	for i := range r.buckets {
		if i < len(lagBounds) {
			s.Buckets[i].UpTo = lagBounds[i]
		}
		s.Buckets[i].Count = r.buckets[i].Load()
	}
	r.mu.Lock()
	s.Recent = make([]LagSample, 0, r.n)
	for i := r.n - 1; i >= 0; i-- {
		s.Recent = append(s.Recent, r.recent[(r.head-i+lagSeconds)%lagSeconds])
	}
	r.mu.Unlock()
	return s
}

// Lag returns how late the loop's timers have fired so far. It is safe
// from any goroutine.
func (l *Loop) Lag() LagStats { return l.lag.stats() }
