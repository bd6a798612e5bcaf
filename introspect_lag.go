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
// the loop is stuck. So the counts, and the current second's figures, are
// atomics that only the loop writes; the ring of past seconds has a lock,
// which the loop takes once a second at most, as a second ends.
type lagRecorder struct {
	buckets [len(lagBounds) + 1]atomic.Uint64 // their sum is the count of timers
	max     atomic.Int64

	secEnd   time.Duration // the end of the current second; loop only
	curAt    atomic.Int64  // the current second's start
	curMax   atomic.Int64
	curCount atomic.Uint64

	mu     sync.Mutex
	recent [lagSeconds]LagSample // the seconds before the current one
	head   int                   // the slot of the latest
	n      int                   // slots in use
}

// add counts one timer fired late by d.
func (r *lagRecorder) add(d time.Duration) {
	i := 0
	if d > lagBounds[0] { // a loop that keeps up does not get here
		for i < len(lagBounds) && d > lagBounds[i] {
			i++
		}
	}
	r.buckets[i].Add(1)
}

// iteration records the worst lag and the number of timers of one
// iteration that fired n timers at loop time now.
func (r *lagRecorder) iteration(now, worst time.Duration, n int) {
	if int64(worst) > r.max.Load() {
		r.max.Store(int64(worst)) // only the loop stores: no lost update
	}
	if now >= r.secEnd {
		r.roll(now)
	}
	if int64(worst) > r.curMax.Load() {
		r.curMax.Store(int64(worst))
	}
	r.curCount.Add(uint64(n))
}

// roll files the current second, if it has counts, and starts the one now
// is in.
func (r *lagRecorder) roll(now time.Duration) {
	r.mu.Lock()
	if c := r.curCount.Load(); c > 0 {
		if r.n > 0 {
			r.head = (r.head + 1) % lagSeconds
		}
		r.n = min(r.n+1, lagSeconds)
		r.recent[r.head] = LagSample{At: time.Duration(r.curAt.Load()), Max: time.Duration(r.curMax.Load()), Count: c}
	}
	sec := now.Truncate(time.Second)
	r.secEnd = sec + time.Second
	r.curAt.Store(int64(sec))
	r.curMax.Store(0)
	r.curCount.Store(0)
	r.mu.Unlock()
}

// stats returns the histogram and the recent seconds.
func (r *lagRecorder) stats() LagStats {
	s := LagStats{Max: time.Duration(r.max.Load())}
	s.Buckets = make([]LagBucket, len(r.buckets))
	for i := range r.buckets {
		if i < len(lagBounds) {
			s.Buckets[i].UpTo = lagBounds[i]
		}
		s.Buckets[i].Count = r.buckets[i].Load()
		s.Count += s.Buckets[i].Count
	}
	r.mu.Lock()
	s.Recent = make([]LagSample, 0, r.n+1)
	for i := r.n - 1; i >= 0; i-- {
		s.Recent = append(s.Recent, r.recent[(r.head-i+lagSeconds)%lagSeconds])
	}
	if c := r.curCount.Load(); c > 0 {
		s.Recent = append(s.Recent, LagSample{At: time.Duration(r.curAt.Load()), Max: time.Duration(r.curMax.Load()), Count: c})
	}
	if len(s.Recent) > lagSeconds {
		s.Recent = s.Recent[1:]
	}
	r.mu.Unlock()
	return s
}

// Lag returns how late the loop's timers have fired so far. It is safe
// from any goroutine.
func (l *Loop) Lag() LagStats { return l.lag.stats() }
