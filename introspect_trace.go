package asyncio

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"reflect"
	"runtime"
	"slices"
	"sync"
	"time"
)

// ErrTracing is returned by StartTrace while a trace of the loop runs, and
// by StopTrace when none does.
var ErrTracing = errors.New("asyncio: a trace of the loop is running, or none is")

// maxTraceEvents bounds a trace's memory: later events are counted and
// dropped.
const maxTraceEvents = 1 << 20

// StartTrace starts recording the loop's task steps, the waits between
// them and its callbacks, until StopTrace writes them to w in the Chrome
// trace event format, which ui.perfetto.dev and chrome://tracing open:
// one track per task, named after it, with its steps and, between them,
// what it waited in. A trace times every step (BENCHMARKS.md gives the
// cost) and keeps up to about a million events. It is safe from any
// goroutine.
func (l *Loop) StartTrace(w io.Writer) error {
	tr := &tracer{w: w, begin: time.Now(), tasks: make(map[uint64]*traceTask), start: -1}
	if !l.tracer.CompareAndSwap(nil, tr) {
		return ErrTracing
	}
	l.updateProbe()
	// The tasks already waiting get their tracks too, so that a trace of
	// a stuck loop shows what each task was stuck in. Their fields are
	// the loop's: the loop lists them.
	l.CallSoonThreadsafe(func() { tr.seed(l) })
	return nil
}

// seed records, on the loop, the tasks that are waiting as the trace
// begins, as waiting since its beginning.
func (tr *tracer) seed(l *Loop) {
	var tasks []*taskCore
	l.mu.Lock()
	for t := range l.tasks.all() {
		tasks = append(tasks, t)
	}
	l.mu.Unlock()
	tr.mu.Lock()
	defer tr.mu.Unlock()
	for _, t := range tasks {
		if _, ok := tr.tasks[t.id]; ok || t.state != stateSuspended || t.wokenBy == 0 {
			continue
		}
		tr.tasks[t.id] = &traceTask{name: t.Name(), waitStart: 0, wait: t.waitDescription()}
	}
	tr.start = -1 // this callback is the tracer's, not the program's: leave it out
}

// StopTrace stops the trace StartTrace began and writes it out. It is safe
// from any goroutine; called from a task, it holds the loop while it
// writes.
func (l *Loop) StopTrace() error {
	tr := l.tracer.Swap(nil)
	if tr == nil {
		return ErrTracing
	}
	l.updateProbe()
	return tr.write(l.id)
}

// A tracer collects the events of one trace. The loop adds to it as it
// steps; StopTrace reads it from another goroutine: hence the lock, taken
// only while tracing. Events are kept in chunks, so that a long trace
// never copies what it holds, and callbacks by program counter, named only
// when the trace is written.
type tracer struct {
	w     io.Writer
	begin time.Time

	mu      sync.Mutex
	chunks  [][]traceEvent
	n       int
	dropped int
	tasks   map[uint64]*traceTask
	start   int64 // of the step running, in ns since begin; -1 before the first
}

// traceChunk is how many events a chunk holds.
const traceChunk = 4096

// traceTask is what a trace knows about a task between its steps.
type traceTask struct {
	name      string
	waitStart int64  // when its last step ended in a wait; -1 if it did not
	wait      string // what that wait was in
}

// A traceEvent is a complete ("X") event: a task's step or wait on the
// task's track, or a callback on track 0.
type traceEvent struct {
	tid        uint64
	kind       traceKind
	pc         uintptr // a callback's function
	wait       string  // what a wait was in
	start, end int64   // ns since the trace began
}

type traceKind uint8

const (
	traceStep traceKind = iota
	traceWait
	traceCallback
)

func (tr *tracer) add(e traceEvent) {
	if tr.n >= maxTraceEvents {
		tr.dropped++
		return
	}
	if tr.n%traceChunk == 0 {
		tr.chunks = append(tr.chunks, make([]traceEvent, 0, traceChunk))
	}
	last := &tr.chunks[len(tr.chunks)-1]
	*last = append(*last, e)
	tr.n++
}

func (tr *tracer) stepBegan(t *taskCore, now time.Time) {
	at := int64(now.Sub(tr.begin))
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.start = at
	if t == nil {
		return
	}
	tt := tr.tasks[t.id]
	if tt == nil {
		tt = &traceTask{name: t.Name(), waitStart: -1}
		tr.tasks[t.id] = tt
	}
	if tt.waitStart >= 0 {
		tr.add(traceEvent{tid: t.id, kind: traceWait, wait: tt.wait, start: tt.waitStart, end: at})
		tt.waitStart = -1
	}
}

func (tr *tracer) stepEnded(t *taskCore, fn func(), now time.Time) {
	at := int64(now.Sub(tr.begin))
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.start < 0 {
		return // the trace began during the step
	}
	if t == nil {
		tr.add(traceEvent{kind: traceCallback, pc: reflect.ValueOf(fn).Pointer(), start: tr.start, end: at})
		return
	}
	tr.add(traceEvent{tid: t.id, kind: traceStep, start: tr.start, end: at})
	if tt := tr.tasks[t.id]; tt != nil && t.state != stateDone {
		tt.waitStart, tt.wait = at, t.waitDescription()
	}
}

// traceJSON is one event of the Chrome trace event format.
type traceJSON struct {
	Name string            `json:"name"`
	Cat  string            `json:"cat,omitempty"`
	Ph   string            `json:"ph"`
	Ts   float64           `json:"ts"` // microseconds
	Dur  float64           `json:"dur,omitempty"`
	Pid  uint64            `json:"pid"`
	Tid  uint64            `json:"tid"`
	Args map[string]string `json:"args,omitempty"`
}

// write writes the trace as a JSON object with a traceEvents array.
func (tr *tracer) write(loop uint64) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	bw := bufio.NewWriter(tr.w)
	enc := json.NewEncoder(bw)
	us := func(ns int64) float64 { return float64(ns) / 1e3 }
	bw.WriteString(`{"displayTimeUnit":"ms","traceEvents":[` + "\n")
	first := true
	emit := func(e traceJSON) error {
		if !first {
			bw.WriteString(",")
		}
		first = false
		return enc.Encode(e)
	}
	args := map[string]string{"name": fmt.Sprintf("asyncio loop %d", loop)}
	if tr.dropped > 0 {
		args["dropped events"] = fmt.Sprint(tr.dropped)
	}
	if err := emit(traceJSON{Name: "process_name", Ph: "M", Pid: loop, Args: args}); err != nil {
		return err
	}
	emit(traceJSON{Name: "thread_name", Ph: "M", Pid: loop, Tid: 0, Args: map[string]string{"name": "callbacks"}})
	for _, id := range slices.Sorted(maps.Keys(tr.tasks)) {
		tt := tr.tasks[id]
		emit(traceJSON{Name: "thread_name", Ph: "M", Pid: loop, Tid: id, Args: map[string]string{"name": fmt.Sprintf("%s (#%d)", tt.name, id)}})
	}
	// Waits still going on when the trace stopped end there: a trace of a
	// stuck loop shows what its tasks were stuck in.
	stop := int64(time.Since(tr.begin))
	for _, id := range slices.Sorted(maps.Keys(tr.tasks)) {
		if tt := tr.tasks[id]; tt.waitStart >= 0 {
			tr.add(traceEvent{tid: id, kind: traceWait, wait: tt.wait, start: tt.waitStart, end: stop})
		}
	}
	names := make(map[uintptr]string)
	for _, chunk := range tr.chunks {
		for _, e := range chunk {
			j := traceJSON{Ph: "X", Ts: us(e.start), Dur: us(e.end - e.start), Pid: loop, Tid: e.tid}
			switch e.kind {
			case traceStep:
				j.Name, j.Cat = "step", "step"
			case traceWait:
				j.Name, j.Cat = e.wait, "wait"
			case traceCallback:
				name, ok := names[e.pc]
				if !ok {
					name = "?"
					if f := runtime.FuncForPC(e.pc); f != nil {
						name = f.Name()
					}
					names[e.pc] = name
				}
				j.Name, j.Cat = name, "callback"
			}
			if err := emit(j); err != nil {
				return err
			}
		}
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}
