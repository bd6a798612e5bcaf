package asyncio

import (
	"bufio"
	"bytes"
	"context"
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

// A goroutineStack is one goroutine of a dump of all of them.
type goroutineStack struct {
	id     uint64
	state  string // what it waits for, "running", "coroutine" for a suspended coroutine
	frames string // the rest, as runtime.Stack prints it
}

// allStacks returns the stacks of every goroutine; it stops the world for
// a moment.
func allStacks() []goroutineStack {
	buf := stackDump(true, 1<<16)
	var out []goroutineStack
	for _, g := range bytes.Split(buf, []byte("\n\n")) {
		head, frames, _ := bytes.Cut(g, []byte("\n"))
		// "goroutine 7 [sleep, 2 minutes]:"
		h := strings.TrimPrefix(string(head), "goroutine ")
		idStr, rest, _ := strings.Cut(h, " ")
		id, _ := strconv.ParseUint(idStr, 10, 64)
		state := strings.TrimSuffix(strings.TrimPrefix(rest, "["), "]:")
		state, _, _ = strings.Cut(state, ",")
		out = append(out, goroutineStack{id: id, state: state, frames: string(frames)})
	}
	return out
}

// runningStack returns the stack of the goroutine running t's step,
// blocking the loop. In debug mode the goroutine's id is known; else it is
// found by elimination: the one goroutine running a task body that is not
// suspended as a coroutine (with several loops running tasks at once, all
// such goroutines are given). It returns "" if t's goroutine is suspended:
// the loop is then busy with work of its own, after t's step.
func (l *Loop) runningStack(t *taskCore) string {
	var goid uint64
	if debugLoops.Load() > 0 {
		// The task's fields are the loop's; debug mode's map is not.
		debugTasks.Range(func(k, v any) bool {
			if v.(*taskCore) == t {
				goid = k.(uint64)
				return false
			}
			return true
		})
	}
	var found []string
	for _, g := range allStacks() {
		switch {
		case g.state == "coroutine":
		case goid != 0 && g.id == goid:
			return g.frames
		case goid == 0 && strings.Contains(g.frames, "asyncio.(*Task[") && strings.Contains(g.frames, "]).main("):
			found = append(found, g.frames)
		}
	}
	return strings.Join(found, "\n-- or, as another loop runs a task at the same time:\n")
}

// loopStack returns the stack of the goroutine running the loop while it
// is busy itself, in a callback or in work of its own, and the callback's
// function if it is in one: the frame the loop's call of a callback
// called. (A loop whose goroutine is in a coroutine switch is running a
// task; one in sleep is idle.)
func (l *Loop) loopStack() (stack, callback string) {
	var found []string
	for _, g := range allStacks() {
		if g.state == "coroutine" || !strings.Contains(g.frames, "asyncio.(*Loop).runOnce(") || strings.Contains(g.frames, "asyncio.(*Loop).sleep(") {
			continue
		}
		found = append(found, g.frames)
		lines := strings.Split(g.frames, "\n")
		for i, line := range lines {
			if strings.HasPrefix(line, "github.com/asyncio-go/asyncio.(*Loop).call(") {
				// The callback's frame is above, two lines a frame;
				// the deferred recovery's frames are not in a stack
				// that has not panicked.
				if i >= 2 {
					callback = lines[i-2]
					if j := strings.LastIndex(callback, "("); j > 0 {
						callback = callback[:j] // the arguments
					}
				}
				break
			}
		}
	}
	return strings.Join(found, "\n-- or, as another loop is busy at the same time:\n"), callback
}

// labelledStacks returns the stacks of the labelled task goroutines of
// loop id, by task id, from a goroutine profile (which, unlike
// runtime.Stack, shows labels).
func labelledStacks(loop uint64) map[uint64]string {
	var buf bytes.Buffer
	if err := pprof.Lookup("goroutine").WriteTo(&buf, 1); err != nil {
		return nil
	}
	want := `"asyncio.loop":"` + strconv.FormatUint(loop, 10) + `"`
	out := make(map[uint64]string)
	// Records are separated by blank lines: "N @ pcs", "# labels: {...}",
	// then "#\tpc\tfunc+off\tfile:line" per frame.
	for _, rec := range strings.Split(buf.String(), "\n\n") {
		_, labels, ok := strings.Cut(rec, "# labels: ")
		if !ok {
			continue
		}
		labels, frames, _ := strings.Cut(labels, "\n")
		if !strings.Contains(labels, want) {
			continue
		}
		_, idStr, ok := strings.Cut(labels, `"asyncio.task_id":"`)
		if !ok {
			continue
		}
		idStr, _, _ = strings.Cut(idStr, `"`)
		id, _ := strconv.ParseUint(idStr, 10, 64)
		out[id] = profileFrames(frames)
	}
	return out
}

// profileFrames turns the frames of a goroutine-profile record into the
// two lines per frame that runtime.Stack prints.
func profileFrames(s string) string {
	var b strings.Builder
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		// "#\tpc\tfunc+off\t\t\tfile:line", tabs repeated to align.
		f := strings.Fields(strings.TrimPrefix(sc.Text(), "#"))
		if len(f) < 3 {
			continue
		}
		fn, _, _ := strings.Cut(f[1], "+0x")
		b.WriteString(fn + "(...)\n\t" + f[len(f)-1] + "\n")
	}
	return b.String()
}
