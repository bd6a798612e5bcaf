package asyncio

import (
	"context"
	"slices"
	"time"
)

// Snapshot returns what the loop is doing: its tasks with their waits, the
// await cycles among them, its lag and its stalls. It is safe from any
// goroutine. From a task of the loop it reads the loop directly; from
// elsewhere it asks the loop (a callback) and waits for the answer until
// ctx ends. If the loop cannot answer, because a step is blocking it or it
// is not running, the snapshot is marked Stale and lists the tasks of its
// last answer, with Blocked naming the step in the way: a debugging tool
// must work best when the loop is stuck. Called from a task of another
// loop, it blocks that other loop while it waits for the answer. A
// closed loop has nothing to show: Snapshot returns ErrLoopClosed.
func (l *Loop) Snapshot(ctx context.Context, opts ...SnapshotOption) (*Snapshot, error) {
	if l.isClosed() {
		return nil, ErrLoopClosed
	}
	var cfg snapshotConfig
	for _, o := range opts {
		o(&cfg)
	}
	var s *Snapshot
	if t, _ := taskOf(ctx); t != nil && t.loop == l {
		s = l.collect()
	} else {
		s = l.ask(ctx)
	}
	s.Blocked, s.Stalls = l.dog.stalls()
	s.Lag = l.lag.stats()
	if cfg.stacks {
		l.addStacks(s)
	}
	return s, nil
}

// ask gets a snapshot from the loop through a callback, or a stale one.
func (l *Loop) ask(ctx context.Context) *Snapshot {
	answer := make(chan *Snapshot, 1)
	if l.running.Load() {
		h := l.CallSoonThreadsafe(func() { answer <- l.collect() })
		var tick <-chan time.Time
		if w := l.dog; w != nil {
			t := time.NewTicker(w.period)
			defer t.Stop()
			tick = t.C
		}
	wait:
		for {
			select {
			case s := <-answer:
				return s
			case <-ctx.Done():
				h.Cancel()
				break wait
			case <-tick:
				if on, _ := l.dog.stalls(); on != nil {
					h.Cancel()
					break wait
				}
			}
		}
	}
	return l.staleSnapshot()
}

// staleSnapshot is the last answer of the loop, marked stale, or the names
// of its tasks if it never answered.
func (l *Loop) staleSnapshot() *Snapshot {
	var s Snapshot
	if last := l.lastSnapshot.Load(); last != nil {
		s = *last
		s.Tasks = slices.Clone(last.Tasks)
	} else {
		s.Loop = l.id
		l.mu.Lock()
		for t := range l.tasks.all() {
			// Set before the task was listed, and never changed: safe
			// to read under mu while the loop is stuck.
			s.Tasks = append(s.Tasks, TaskInfo{ID: t.id, Name: t.Name(), Parent: t.parent, State: "unknown"})
		}
		l.mu.Unlock()
	}
	s.Taken, s.Time, s.Stale = time.Now(), l.clock.Now(), true
	return &s
}

// collect takes a snapshot on the loop, where the tasks' fields may be
// read.
func (l *Loop) collect() *Snapshot {
	s := &Snapshot{Loop: l.id, Taken: time.Now(), Time: l.clock.Now()}
	var tasks []*taskCore
	l.mu.Lock()
	for t := range l.tasks.all() {
		tasks = append(tasks, t)
	}
	l.mu.Unlock()
	children := make(map[*group][]uint64)
	for _, t := range tasks {
		if t.group != nil {
			children[t.group] = append(children[t.group], t.id)
		}
	}
	for _, t := range tasks {
		ti := TaskInfo{ID: t.id, Name: t.Name(), Parent: t.parent, Since: t.waitSince, Doing: l.doing(t.id)}
		switch {
		case t.state == stateRunning:
			ti.State = "running"
		case t.wokenBy == 0:
			ti.State = "new"
			ti.Since = 0
		default:
			ti.State = "waiting"
			ti.Wait = t.waitDescription()
			switch on := t.waitOn.(type) {
			case *futureCore:
				if on.task != nil {
					ti.WaitsFor = []uint64{on.task.id}
				}
			case *Lock:
				if h := on.holder(); h != 0 {
					ti.WaitsFor = []uint64{h}
				}
			case *group:
				ti.WaitsFor = children[on]
			}
		}
		if t.debug != nil {
			ti.SpawnedAt = string(t.debug.spawnedAt)
		}
		s.Tasks = append(s.Tasks, ti)
	}
	s.Cycles = awaitCycles(s.Tasks)
	keep := *s
	l.lastSnapshot.Store(&keep)
	return s
}

// waitDescription says what the task waits in, for a snapshot or a trace.
func (t *taskCore) waitDescription() string { return t.waitingIn.String() }

// addStacks fills in the stacks the loop can tell apart: the blocking
// step's, and, with task labels, every task's.
func (l *Loop) addStacks(s *Snapshot) {
	var labelled map[uint64]string
	if l.labels {
		labelled = labelledStacks(l.id)
	}
	for i := range s.Tasks {
		ti := &s.Tasks[i]
		switch {
		case s.Blocked != nil && s.Blocked.TaskID == ti.ID:
			ti.Stack = s.Blocked.Stack
		case labelled != nil:
			ti.Stack = labelled[ti.ID]
		}
	}
}

// awaitCycles finds the cycles of the graph whose edges go from each task
// to the tasks it waits for (Tarjan's strongly connected components, each
// reported as one cycle through its members), in a stable order.
func awaitCycles(tasks []TaskInfo) [][]uint64 {
	edges := make(map[uint64][]uint64, len(tasks))
	for _, t := range tasks {
		edges[t.ID] = t.WaitsFor
	}
	index := make(map[uint64]int)
	low := make(map[uint64]int)
	onStack := make(map[uint64]bool)
	var stack []uint64
	var cycles [][]uint64
	var strong func(v uint64)
	strong = func(v uint64) {
		index[v] = len(index) + 1
		low[v] = index[v]
		stack = append(stack, v)
		onStack[v] = true
		for _, w := range edges[v] {
			if _, live := edges[w]; !live {
				continue
			}
			if index[w] == 0 {
				strong(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []uint64
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if len(comp) > 1 || slices.Contains(edges[v], v) {
			cycles = append(cycles, cyclePath(comp, edges))
		}
	}
	for _, t := range tasks {
		if index[t.ID] == 0 {
			strong(t.ID)
		}
	}
	slices.SortFunc(cycles, func(a, b []uint64) int { return int(a[0]) - int(b[0]) })
	return cycles
}

// cyclePath walks a strongly connected component from its lowest id along
// edges within it back to the start, returning the tasks passed.
func cyclePath(comp []uint64, edges map[uint64][]uint64) []uint64 {
	in := make(map[uint64]bool, len(comp))
	for _, v := range comp {
		in[v] = true
	}
	start := slices.Min(comp)
	// Breadth-first search for the shortest way back to start.
	prev := map[uint64]uint64{}
	queue := []uint64{start}
	seen := map[uint64]bool{start: true}
	for len(queue) > 0 {
		v := queue[0]
		queue = queue[1:]
		for _, w := range edges[v] {
			if !in[w] {
				continue
			}
			if w == start {
				path := []uint64{v}
				for v != start {
					v = prev[v]
					path = append(path, v)
				}
				slices.Reverse(path)
				return path
			}
			if !seen[w] {
				seen[w], prev[w] = true, v
				queue = append(queue, w)
			}
		}
	}
	return []uint64{start}
}
