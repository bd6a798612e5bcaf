package asyncio

import "time"

// timerHeap is a 4-ary min-heap of timers ordered by deadline, then by the
// order they were scheduled in. Each slot carries its timer's deadline, as
// the Go runtime's timer heap does, so sifting compares and moves
// contiguous memory and touches a timer only to break a tie: with a
// million timers that is the difference between cache misses on every step
// and few. (So
// a timer does not know its place in the heap; cancellation is a flag, and
// cancelled timers are dropped when they surface or in a purge.) A 4-ary
// heap is shallower than a binary one.
type timerHeap []timerSlot

type timerSlot struct {
	when time.Duration
	t    *TimerHandle
}

func (h timerHeap) less(i, j int) bool {
	a, b := &h[i], &h[j]
	if a.when != b.when {
		return a.when < b.when
	}
	return a.t.seq < b.t.seq // ties only: the key stays 16 bytes a timer
}

func (h timerHeap) swap(i, j int) { h[i], h[j] = h[j], h[i] }

func (h *timerHeap) push(t *TimerHandle) {
	t.heaped.Store(true)
	*h = append(*h, timerSlot{when: t.when, t: t})
	h.up(len(*h) - 1)
}

// pop removes and returns the earliest timer.
func (h *timerHeap) pop() *TimerHandle {
	old := *h
	n := len(old) - 1
	t := old[0].t
	old.swap(0, n)
	old[n] = timerSlot{}
	*h = old[:n]
	if n > 0 {
		h.down(0)
	}
	t.heaped.Store(false)
	return t
}

func (h timerHeap) up(i int) {
	for i > 0 {
		p := (i - 1) / 4
		if !h.less(i, p) {
			return
		}
		h.swap(i, p)
		i = p
	}
}

func (h timerHeap) down(i int) {
	n := len(h)
	for {
		c := 4*i + 1
		if c >= n {
			return
		}
		m := c
		for k := c + 1; k < c+4 && k < n; k++ {
			if h.less(k, m) {
				m = k
			}
		}
		if !h.less(m, i) {
			return
		}
		h.swap(i, m)
		i = m
	}
}

// purge drops every cancelled timer and rebuilds the heap in linear time.
func (h *timerHeap) purge() {
	old := *h
	live := old[:0]
	for _, s := range old {
		if s.t.cancelled.Load() {
			s.t.heaped.Store(false)
			s.t.fn = nil
			continue
		}
		live = append(live, s)
	}
	clear(old[len(live):])
	*h = live
	for i := (len(live) - 2) / 4; i >= 0; i-- {
		live.down(i)
	}
}
