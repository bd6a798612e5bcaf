package asyncio

import (
	"sync"
	"time"
)

// A Snapshot is what a loop was doing at one moment: its tasks with what
// each waits on and since when, the await cycles among them, how late its
// timers fire, and the steps that kept it busy longest (Loop.Snapshot).
// It is the data behind Python 3.14's `asyncio ps` and `pstree`, taken
// from inside the program, and it marshals to JSON for the debug endpoint
// of package monitor.
type Snapshot struct {
	Loop  uint64        `json:"loop"`  // the loop's ID
	Taken time.Time     `json:"taken"` // wall-clock time of the snapshot
	Time  time.Duration `json:"time"`  // the loop's clock then (Loop.Time)
	// Stale reports that the loop did not answer in time, being stuck in
	// a step (see Blocked) or not running: Tasks then come from its last
	// answer, or name the tasks without their waits.
	Stale bool `json:"stale,omitempty"`
	// Blocked is the step keeping the loop busy now, if it has done so for
	// longer than the watchdog's threshold.
	Blocked *Stall     `json:"blocked,omitempty"`
	Tasks   []TaskInfo `json:"tasks"`
	// Cycles lists the await cycles among the tasks, each as the IDs of
	// the tasks on it in order: a deadlock nothing but a cancellation
	// can end.
	Cycles [][]uint64 `json:"cycles,omitempty"`
	Lag    LagStats   `json:"lag"`
	// Stalls are the slowest steps the watchdog caught, slowest first.
	Stalls []Stall `json:"stalls,omitempty"`
}

// TaskInfo is a task as a Snapshot saw it.
type TaskInfo struct {
	ID     uint64 `json:"id"`
	Name   string `json:"name"`
	Parent uint64 `json:"parent,omitempty"` // the task that spawned it, if any
	// State is "running" (its step is running), "waiting" or "new" (not
	// started yet).
	State string `json:"state"`
	// Wait is what a waiting task waits in: "Sleep", "Lock.Acquire",
	// "Queue.Get", "Task.Wait", "children" (Gather or a task group),
	// "StreamReader.Read", ...
	Wait string `json:"wait,omitempty"`
	// WaitsFor are the tasks the wait depends on: the task awaited, the
	// holder of the lock, the children of the group.
	WaitsFor []uint64 `json:"waitsFor,omitempty"`
	// Doing is what the task said it is doing (Annotate): the statement
	// a database query runs, say.
	Doing string `json:"doing,omitempty"`
	// Since is the loop time at which the wait began, to within the
	// watchdog's period; for a task that is not waiting, that of its
	// last wait.
	Since time.Duration `json:"since"`
	// Stack is the task's stack, if the snapshot asked for stacks and the
	// loop labels its tasks (WithTaskLabels), or the task is the one
	// blocking the loop.
	Stack string `json:"stack,omitempty"`
	// SpawnedAt is the stack of the Spawn call, in debug mode.
	SpawnedAt string `json:"spawnedAt,omitempty"`
}

// A Stall is a step (a task's run from one wait to the next, or a
// callback) that kept the loop busy past the watchdog's threshold, or the
// loop's own work between steps (Task and Callback both empty).
type Stall struct {
	TaskID   uint64        `json:"taskId,omitempty"`
	Task     string        `json:"task,omitempty"`     // the task's name, for a task's step
	Callback string        `json:"callback,omitempty"` // the function, for a callback
	Started  time.Time     `json:"started"`            // wall-clock time, to within the watchdog's period
	Duration time.Duration `json:"duration"`           // so far while Ongoing, then the total length
	// Ongoing is true while the step still blocks the loop, false once
	// it has ended.
	Ongoing bool `json:"ongoing,omitempty"`
	// Stack is the stack of the goroutine running the step, taken while
	// it was still blocking the loop.
	Stack string `json:"stack,omitempty"`
	// Kind tells a step that computes (StallBusy) or waits in a blocking
	// call (StallBlocked) from one the system kept off the CPU
	// (StallDescheduled).
	Kind StallKind `json:"kind,omitempty"`
	// CPU is the CPU time the process's threads used during the stall,
	// and RunQueue the time they spent runnable, waiting for a CPU
	// (Linux only), from the moment the step had lasted half the slow
	// duration. Go moves a goroutine from thread to thread, so these are
	// the whole process's: docs/design.md says what that includes.
	CPU      time.Duration `json:"cpu,omitempty"`
	RunQueue time.Duration `json:"runQueue,omitempty"`
}

// LagStats describes how late the loop's timers fired: the loop lag. A
// loop that keeps up fires a timer within microseconds of its time; a step
// that blocks delays every timer due meanwhile.
type LagStats struct {
	Count uint64        `json:"count"` // timers fired
	Max   time.Duration `json:"max"`
	// Buckets is the histogram: Buckets[i].Count timers fired later than
	// the bound of the bucket before and at most Buckets[i].UpTo late
	// (the last bucket has no bound: UpTo 0).
	Buckets []LagBucket `json:"buckets"`
	// Recent is the worst lag of each of the last seconds the loop fired
	// timers in, oldest first, for a chart.
	Recent []LagSample `json:"recent,omitempty"`
}

// A LagBucket is one bar of the lag histogram.
type LagBucket struct {
	UpTo  time.Duration `json:"upTo"`
	Count uint64        `json:"count"`
}

// A LagSample is the worst lag within one second of the loop's clock.
type LagSample struct {
	At    time.Duration `json:"at"` // the start of the second, on the loop's clock
	Max   time.Duration `json:"max"`
	Count uint64        `json:"count"`
}

// A SnapshotOption configures Loop.Snapshot.
type SnapshotOption func(*snapshotConfig)

type snapshotConfig struct {
	stacks bool
}

// WithStacks asks Snapshot for the stack of every task. A task's stack
// can be found only if the loop labels its tasks (WithTaskLabels, or debug
// mode); the stack of a step blocking the loop always is. It stops the
// world for a moment, as a goroutine profile does.
func WithStacks() SnapshotOption { return func(c *snapshotConfig) { c.stacks = true } }

// loopRegistry lists the open loops, for Loops.
var loopRegistry struct {
	sync.Mutex
	next  uint64
	loops []*Loop
}

// Loops returns the loops of the process that are open (made and not yet
// closed), oldest first: what a debug endpoint serves. The list holds each
// loop until Close, one more reason to close every loop made with NewLoop.
func Loops() []*Loop {
	loopRegistry.Lock()
	defer loopRegistry.Unlock()
	return append([]*Loop(nil), loopRegistry.loops...)
}

// register lists a new loop and gives it its ID.
func (l *Loop) register() {
	loopRegistry.Lock()
	loopRegistry.next++
	l.id = loopRegistry.next
	loopRegistry.loops = append(loopRegistry.loops, l)
	loopRegistry.Unlock()
}

// unregister removes a closed loop from the list.
func (l *Loop) unregister() {
	loopRegistry.Lock()
	defer loopRegistry.Unlock()
	for i, x := range loopRegistry.loops {
		if x == l {
			loopRegistry.loops = append(loopRegistry.loops[:i], loopRegistry.loops[i+1:]...)
			return
		}
	}
}

// ID returns the loop's number, counting the loops of the process from 1.
func (l *Loop) ID() uint64 { return l.id }
