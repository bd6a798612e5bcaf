package asyncio

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
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
// what it waited in. A trace times every step: a few hundred nanoseconds
// each. It is safe from any goroutine.
func (l *Loop) StartTrace(w io.Writer) error {
	tr := &tracer{w: w, begin: time.Now(), tasks: make(map[uint64]*traceTask)}
	if !l.tracer.CompareAndSwap(nil, tr) {
		return ErrTracing
	}
	l.updateProbe()
	return nil
}

// StopTrace stops the trace StartTrace began and writes it out. It is safe
// from any goroutine.
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
// only while tracing.
type tracer struct {
	w     io.Writer
	begin time.Time

	mu      sync.Mutex
	events  []traceEvent
	dropped int
	tasks   map[uint64]*traceTask
	start   time.Time // of the step running
}

// traceTask is what a trace knows about a task between its steps.
type traceTask struct {
	name      string
	waitStart time.Time // when its last step ended in a wait
	wait      string    // what that wait was in
}

// A traceEvent is a complete ("X") event: a step or a wait on a task's
// track, or a callback on track 0.
type traceEvent struct {
	tid        uint64
	cat, name  string
	start, end time.Time
}

func (tr *tracer) add(e traceEvent) {
	if len(tr.events) >= maxTraceEvents {
		tr.dropped++
		return
	}
	tr.events = append(tr.events, e)
}

func (tr *tracer) stepBegan(t *taskCore, now time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.start = now
	if t == nil {
		return
	}
	tt := tr.tasks[t.id]
	if tt == nil {
		tt = &traceTask{name: t.Name()}
		tr.tasks[t.id] = tt
	}
	if !tt.waitStart.IsZero() {
		tr.add(traceEvent{tid: t.id, cat: "wait", name: tt.wait, start: tt.waitStart, end: now})
		tt.waitStart = time.Time{}
	}
}

func (tr *tracer) stepEnded(t *taskCore, fn func(), now time.Time) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if tr.start.IsZero() {
		return // the trace began during the step
	}
	if t == nil {
		tr.add(traceEvent{tid: 0, cat: "callback", name: funcName(fn), start: tr.start, end: now})
		return
	}
	tr.add(traceEvent{tid: t.id, cat: "step", name: "step", start: tr.start, end: now})
	if tt := tr.tasks[t.id]; tt != nil && t.state != stateDone {
		tt.waitStart, tt.wait = now, t.waitDescription()
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
	us := func(t time.Time) float64 { return float64(t.Sub(tr.begin).Nanoseconds()) / 1e3 }
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
	for _, e := range tr.events {
		if err := emit(traceJSON{Name: e.name, Cat: e.cat, Ph: "X", Ts: us(e.start), Dur: us(e.end) - us(e.start), Pid: loop, Tid: e.tid}); err != nil {
			return err
		}
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}
