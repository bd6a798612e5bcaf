package asyncio

import (
	"bytes"
	"context"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
)

// WithTaskLabels gives each task's goroutine pprof labels naming the loop
// and the task (asyncio.loop, asyncio.task, asyncio.task_id), on top of
// the labels of the ctx it was spawned with: CPU and goroutine profiles
// then group by task, and Snapshot can show each waiting task's stack. It
// costs a few allocations per task; debug mode turns it on.
func WithTaskLabels(on bool) Option { return func(c *config) { c.labels = on } }

// labelTask labels the goroutine of the task about to run.
//
//go:noinline
func labelTask(tc *taskCore) {
	pprof.SetGoroutineLabels(pprof.WithLabels(tc.ctx, pprof.Labels(
		"asyncio.loop", strconv.FormatUint(tc.loop.id, 10),
		"asyncio.task", tc.Name(),
		"asyncio.task_id", strconv.FormatUint(tc.id, 10),
	)))
}

// unlabel clears the labels of a coroutine whose task ended, so that its
// next task, or its parked goroutine, is not counted against the old one.
//
//go:noinline
func unlabel() { pprof.SetGoroutineLabels(context.Background()) }

// Stacks come from the goroutine profile (pprof's debug=1 form), not from
// runtime.Stack(all): the profile groups goroutines with the same stack and
// labels into one record, so a program with a million tasks parked at the
// same line costs one record, not a million stacks, and it shows labels.
// It stops the world for a moment, as runtime.Stack does.

// A stackRecord is one record of the goroutine profile: goroutines with
// the same stack and labels.
type stackRecord struct {
	labels string // the labels as the profile prints them, "" if none
	frames string // two lines per frame, innermost first, as runtime.Stack prints them
	top    string // the innermost frame's function
	state  goState
}

// A goState is what a goroutine of the profile was doing, as far as its
// stack tells.
type goState uint8

const (
	goRunning goState = iota // running Go code, or runnable
	// goParked: the Go scheduler has parked it (a channel, a mutex,
	// time.Sleep), so it waits off the CPU. The profile leaves the
	// runtime's frames out of its frames, but its list of program
	// counters starts with runtime.gopark's.
	goParked
	goSyscall // in a system call
)

// stackRecords reads the goroutine profile.
func stackRecords() []stackRecord {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil
	}
	var out []stackRecord
	// "goroutine profile: total N", then records separated by blank
	// lines: "N @ pcs", maybe "# labels: {...}", then a line a frame,
	// "#\tpc\tfunc+off\t\t\tfile:line", tabs repeated to align.
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		var r stackRecord
		var b strings.Builder
		for _, line := range strings.Split(rec, "\n") {
			if _, pcs, ok := strings.Cut(line, " @ "); ok && !strings.HasPrefix(line, "#") {
				if parkedAt(pcs) {
					r.state = goParked
				}
				continue
			}
			if l, ok := strings.CutPrefix(line, "# labels: "); ok {
				r.labels = l
				continue
			}
			f := strings.Fields(strings.TrimPrefix(line, "#"))
			if !strings.HasPrefix(line, "#") || len(f) < 3 {
				continue
			}
			fn, _, _ := strings.Cut(f[1], "+0x")
			if r.top == "" {
				r.top = fn
			}
			b.WriteString(fn + "(...)\n\t" + f[len(f)-1] + "\n")
		}
		if r.state == goRunning && inSyscall(r.top) {
			r.state = goSyscall
		}
		if r.frames = b.String(); r.frames != "" {
			out = append(out, r)
		}
	}
	return out
}

// parkedAt reports whether the innermost of the program counters, as the
// profile prints them, is in runtime.gopark.
func parkedAt(pcs string) bool {
	first, _, _ := strings.Cut(pcs, " ")
	pc, err := strconv.ParseUint(strings.TrimPrefix(first, "0x"), 16, 64)
	if err != nil || pc == 0 {
		return false
	}
	fn := runtime.FuncForPC(uintptr(pc) - 1)
	return fn != nil && (fn.Name() == "runtime.gopark" || fn.Name() == "runtime.goparkunlock")
}

// inSyscall reports whether fn, the innermost frame of a stack, makes a
// system call.
func inSyscall(fn string) bool {
	for _, p := range []string{"syscall.", "internal/runtime/syscall/", "internal/syscall/", "golang.org/x/sys/unix."} {
		if strings.HasPrefix(fn, p) {
			return true
		}
	}
	return false
}

// A suspended coroutine's innermost frame is the yield of iter.Pull (a
// task waiting, or a pooled coroutine), and a goroutine that resumed one
// waits in its next: neither is running.
func (r stackRecord) inCoroutineSwitch() bool {
	return r.top == "iter.Pull[...].func1.1" || r.top == "iter.Pull[...].func2"
}

// label returns the value of the label key in r, or "".
func (r stackRecord) label(key string) string {
	_, v, ok := strings.Cut(r.labels, `"`+key+`":"`)
	if !ok {
		return ""
	}
	v, _, _ = strings.Cut(v, `"`)
	return v
}

// runningStack returns the stack of the goroutine running t's step,
// blocking the loop: the one goroutine running a task body that is not
// suspended in a coroutine switch. With task labels it is told apart from
// the task goroutines of other loops running at the same moment; without,
// all such goroutines are given. It returns "" if t's goroutine is
// suspended: the loop is then busy with work of its own, after t's step.
// state is the goroutine's, or goRunning if several are given that are
// not all in the same state.
func (l *Loop) runningStack(t *taskCore) (stack string, state goState) {
	id := strconv.FormatUint(t.id, 10)
	loop := strconv.FormatUint(l.id, 10)
	var found []string
	var states []goState
	for _, r := range stackRecords() {
		if r.inCoroutineSwitch() || !strings.Contains(r.frames, "asyncio.(*Task[...]).main(") {
			continue
		}
		if r.label("asyncio.task_id") != "" {
			if r.label("asyncio.task_id") == id && r.label("asyncio.loop") == loop {
				return r.frames, r.state
			}
			continue
		}
		found = append(found, r.frames)
		states = append(states, r.state)
	}
	return strings.Join(found, "\n-- or, as another loop runs a task at the same time (WithTaskLabels tells them apart):\n"), commonState(states)
}

// commonState returns the state of every one of states, or goRunning if
// they differ or there are none.
func commonState(states []goState) goState {
	if len(states) == 0 {
		return goRunning
	}
	for _, s := range states[1:] {
		if s != states[0] {
			return goRunning
		}
	}
	return states[0]
}

// loopStack returns the stack of the goroutine running the loop while it
// is busy itself, in a callback or in work of its own, and the callback's
// function if it is in one: the frame the loop's call of a callback
// called. (A loop whose goroutine is in a coroutine switch is running a
// task; one in sleep is idle.) state is as for runningStack.
func (l *Loop) loopStack() (stack, callback string, state goState) {
	var found []string
	var states []goState
	for _, r := range stackRecords() {
		if r.inCoroutineSwitch() || !strings.Contains(r.frames, "asyncio.(*Loop).runOnce(") || strings.Contains(r.frames, "asyncio.(*Loop).sleep(") {
			continue
		}
		found = append(found, r.frames)
		states = append(states, r.state)
		lines := strings.Split(r.frames, "\n")
		for i, line := range lines {
			// The callback's frame is above, two lines a frame; the
			// deferred recovery's frames are not in a stack that has
			// not panicked.
			if strings.HasPrefix(line, "github.com/asyncio-go/asyncio.(*Loop).call(") && i >= 2 {
				callback = strings.TrimSuffix(lines[i-2], "(...)")
				break
			}
		}
	}
	return strings.Join(found, "\n-- or, as another loop is busy at the same time:\n"), callback, commonState(states)
}

// labelledStacks returns the stacks of the labelled task goroutines of
// loop id, by task id.
func labelledStacks(loop uint64) map[uint64]string {
	want := strconv.FormatUint(loop, 10)
	out := make(map[uint64]string)
	for _, r := range stackRecords() {
		if r.label("asyncio.loop") != want {
			continue
		}
		if id, err := strconv.ParseUint(r.label("asyncio.task_id"), 10, 64); err == nil {
			out[id] = r.frames
		}
	}
	return out
}
