package asyncio

// timerHeap is a 4-ary min-heap of timers ordered by deadline, then by the
// order they were scheduled in. A 4-ary heap is shallower than a binary one
// and touches fewer cache lines per operation, as in the Go runtime's timers.
type timerHeap []*TimerHandle

func (h timerHeap) less(i, j int) bool {
	a, b := h[i], h[j]
	if a.when != b.when {
		return a.when < b.when
	}
	return a.seq < b.seq
}

func (h timerHeap) swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}

func (h *timerHeap) push(t *TimerHandle) {
	t.heaped.Store(true)
	t.index = len(*h)
	*h = append(*h, t)
	h.up(t.index)
}

// pop removes and returns the earliest timer.
func (h *timerHeap) pop() *TimerHandle {
	old := *h
	n := len(old) - 1
	t := old[0]
	old.swap(0, n)
	old[n] = nil
	*h = old[:n]
	if n > 0 {
		h.down(0)
	}
	t.index = -1
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
	for _, t := range old {
		if t.cancelled.Load() {
			t.index = -1
			t.heaped.Store(false)
			continue
		}
		t.index = len(live)
		live = append(live, t)
	}
	clear(old[len(live):])
	*h = live
	for i := (len(live) - 2) / 4; i >= 0; i-- {
		live.down(i)
	}
}
