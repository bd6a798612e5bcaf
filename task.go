package asyncio

import (
	"context"
	"errors"
	"runtime"
	"sort"
	"strconv"
	"time"
	"unsafe"
)

// A Task runs a function on a loop, cooperatively: it has the loop to itself
// from one wait to the next (asyncio.Task). Spawn makes one.
//
// The loop owns every task until it ends, so a task nobody keeps a
// reference to still runs to completion. A failure nobody retrieved is
// reported to the loop's exception handler once the ended task is
// garbage-collected, or when the loop closes if it is still reachable.
type Task[T any] struct {
	taskCore
	val T // before fn: a zero-size last field would be padded to a word
	fn  func(context.Context) (T, error)
}

// taskCore is the part of a task that does not depend on its result type.
type taskCore struct {
	node links[taskCore] // in the loop's list of live tasks; first: see links
	futureCore
	// taskConfig holds the name: "" until asked for, for an unnamed task
	// (see Name). The options write into the task itself, which is on the
	// heap anyway: a config of their own would escape to it, one
	// allocation more per Spawn with options.
	taskConfig
	id   uint64
	ctx  *scope
	own  scope   // what ctx points to: one allocation less per task
	self AnyTask // the *Task[T] this is the core of

	co *coroutine // runs the body; nil once the task is done

	// The fields below change only on the loop (the loop goroutine or the
	// running task, which take turns). The four small ones go together,
	// in one word: a Task[struct{}] is then 480 bytes, not 512 (the
	// allocator's size classes).
	state       taskState
	killed      bool     // the loop is closing: every wait returns at once
	startFailed bool     // it failed before calling started (Start)
	waitingIn   waitKind // what it waits in, for a Snapshot

	gen     uint64 // counts waits; a wake names the wait it ends (see wake)
	wokenBy uint64 // the gen of the wake that resumed the task last
	// waitOn is what holds the task up, when a Snapshot can say who: the
	// *futureCore of the task or future it waits for, a *Lock (its
	// holder), a *group (its children).
	waitOn    any
	waitSince time.Duration // loop time at which the wait began (see Loop.coarse)
	parent    uint64        // the id of the task that spawned it
	debug     *taskDebug    // debug mode only, to keep tasks small otherwise

	qw    *waiter // the task's waiter in primitives' queues, made on first use
	group *group  // the Gather or TaskGroup the task belongs to
}

// taskDebug is what debug mode records about a task.
type taskDebug struct {
	goid      uint64    // the goroutine running the task
	spawnedAt []byte    // the stack of the Spawn call
	started   time.Time // when the current step began
}

type taskState uint8

const (
	stateSuspended taskState = iota // waiting, or not started yet
	stateRunning
	stateDone
)

var errGoexit = errors.New("asyncio: task called runtime.Goexit")

// errUnwound is what every wait returns in a task that Loop.Close is
// unwinding: a cancellation whose cause is ErrLoopClosed.
var errUnwound error = &CancelledError{Cause: ErrLoopClosed}

// Spawn starts fn as a new task on the loop of ctx and returns at once; the
// task's first step runs in a later iteration of the loop (asyncio's
// create_task). It must be called from code running on a loop, with the ctx
// of a task; it panics otherwise, as there is no loop to run fn on.
//
// The task's ctx carries ctx's values but not its cancellation: cancelling
// the spawning task does not cancel the new one, as in asyncio. Use a task
// group, Gather or Wait for children that end with their parent.
func Spawn[T any](ctx context.Context, fn func(context.Context) (T, error), opts ...TaskOption) *Task[T] {
	l := RunningLoop(ctx)
	if l == nil {
		panic("asyncio: Spawn needs the ctx of a task running on a loop")
	}
	l.checkOnLoop("Spawn")
	return spawn(l, ctx, false, fn, opts)
}

// spawn makes a task whose ctx takes its values from parent and, if inherit
// is true, its cancellation too. It panics with ErrLoopClosed on a closed
// loop: see trySpawn.
func spawn[T any](l *Loop, parent context.Context, inherit bool, fn func(context.Context) (T, error), opts []TaskOption) *Task[T] {
	t, err := trySpawn(l, parent, inherit, false, fn, opts)
	if err != nil {
		panic(err)
	}
	return t
}

// trySpawn is spawn with an error for a closed loop. A foreign spawn (from
// a goroutine not running the loop) is refused as soon as Close begins;
// one from loop code, such as a task's deferred cleanup that Close is
// unwinding, is accepted until the loop is closed, and Close unwinds it in
// turn.
func trySpawn[T any](l *Loop, parent context.Context, inherit, foreign bool, fn func(context.Context) (T, error), opts []TaskOption) (*Task[T], error) {
	t := &Task[T]{fn: fn}
	tc := &t.taskCore
	for _, o := range opts {
		o(&tc.taskConfig)
	}
	tc.loop = l
	tc.task = tc
	tc.self = t
	tc.gen = 1

	l.mu.Lock()
	if l.closed || foreign && l.closing {
		l.mu.Unlock()
		return nil, ErrLoopClosed
	}
	l.nextTaskID++
	tc.id = l.nextTaskID
	if s := scopeOf(parent); s != nil && s.owner != nil {
		tc.parent = s.owner.id
	}
	if l.debug {
		tc.debug = &taskDebug{spawnedAt: stack()}
	}
	l.tasks.pushBack(tc)
	l.mu.Unlock()

	// The scope is attached after the task is listed, so a cancellation
	// arriving at once finds a task to wake.
	tc.ctx = &tc.own
	tc.ctx.init(parent, l, tc, inherit)
	tc.co = l.coroutineFor(t)
	wake{tc, tc.gen}.fire()
	return t, nil
}

// main is what the task's coroutine runs.
//
// Its frame is below every wait of the task, on the task's goroutine: a
// goroutine starts with a 2 KiB stack, which is doubled when a call goes
// deeper than about 1,100 B, and a server has a task waiting per idle
// connection. So what is rare (debug mode, a panic, runtime.Goexit) is
// out of line, in mainDebug and mainEnded, to keep the frame small.
func (t *Task[T]) main() {
	tc := &t.taskCore
	if tc.loop.debug {
		mainDebug(tc)
	}
	if tc.loop.labels {
		labelTask(tc)
	}
	defer t.mainEnded()
	if err := waitError(tc.ctx); err != nil {
		// Cancelled before its first step: the body never runs.
		var zero T
		t.finish(zero, err, nil)
		return
	}
	v, err := t.fn(tc.ctx)
	t.finish(v, err, nil)
}

// mainDebug is where main starts in debug mode.
//
//go:noinline
func mainDebug(tc *taskCore) {
	tc.debug.goid = goid()
	debugEnter(tc)
}

// mainEnded runs deferred when main ends. A task not done by then did not
// return: it panicked, or called runtime.Goexit, which goes on unwinding.
func (t *Task[T]) mainEnded() {
	tc := &t.taskCore
	if !tc.done.Load() {
		var zero T
		if r := recover(); r != nil {
			t.finish(zero, nil, &PanicError{Value: r, Task: tc.Name(), Stack: stack()})
		} else {
			t.finish(zero, errGoexit, nil)
		}
	}
	if tc.loop.debug {
		debugLeave(tc)
	}
	if tc.loop.labels {
		unlabel()
	}
}

func (t *Task[T]) finish(v T, err error, p *PanicError) {
	tc := &t.taskCore
	tc.mu.Lock()
	if tc.done.Load() {
		tc.mu.Unlock()
		return
	}
	t.val = v
	tc.finishLocked(err, p)
	tc.ended()
}

// ended releases what a finished task held and notes a failure to report.
func (t *taskCore) ended() {
	l := t.loop
	l.mu.Lock()
	l.tasks.remove(t)
	l.mu.Unlock()
	if failed := t.failure(); failed != nil && failed != errGoexit && !isCancelled(failed) {
		l.noteFailure(t)
	}
	// Like an http.Request's ctx, a task's ctx ends with the task: work it
	// started with that ctx on other goroutines is told to stop.
	t.ctx.release()
	t.ctx.detach()
	if t.group != nil {
		t.group.childDone(t)
	}
}

// Name returns the task's name: the one given with the Name option, or
// Task-N, N counting the tasks of the loop from 1.
func (t *taskCore) Name() string {
	if t.name == "" {
		return "Task-" + strconv.FormatUint(t.id, 10)
	}
	return t.name
}

// ID returns the task's number, counting the tasks of its loop from 1: the
// id a Snapshot lists it by.
func (t *taskCore) ID() uint64 { return t.id }

// String returns the task's name, for %v.
func (t *taskCore) String() string { return t.Name() }

// Cancel asks the task to stop: its ctx is cancelled, so its current wait
// and every later one return an error satisfying
// errors.Is(err, context.Canceled) until the task returns. A task cancelled
// before its first step never runs its body. Cancel reports false if the
// task is done already. It is safe from any goroutine.
func (t *taskCore) Cancel() bool { return t.CancelCause(nil) }

// CancelCause is Cancel with a cause: waits in the task return a
// *CancelledError that unwraps to cause, and Cause(ctx) returns it.
func (t *taskCore) CancelCause(cause error) bool {
	if t.done.Load() {
		return false
	}
	t.ctx.cancel(context.Canceled, cause)
	return true
}

// wakeForCancel resumes the task, if it waits, so that its wait sees that
// its ctx is done. It is safe from any goroutine.
func (t *taskCore) wakeForCancel() {
	if !t.done.Load() {
		wake{t, anyWait}.fire()
	}
}

// Wait waits until the task is done and returns its result. If the task
// panicked, Wait panics with the *PanicError in the waiting goroutine. If
// ctx is done first, Wait returns its error and leaves the task running.
func (t *Task[T]) Wait(ctx context.Context) (T, error) {
	if err := t.wait(ctx); err != nil {
		var zero T
		return zero, err
	}
	return t.Result()
}

// Result returns the result of a task that is done, or ErrNotDone. If the
// task panicked, Result panics with the *PanicError.
func (t *Task[T]) Result() (T, error) {
	if !t.done.Load() {
		var zero T
		return zero, ErrNotDone
	}
	t.markRetrieved()
	if t.panicked != nil {
		panic(t.panicked)
	}
	return t.val, t.err
}

// step resumes the task of w if w ends the wait it is in.
func (l *Loop) step(w wake) {
	t := w.t
	if t.state != stateSuspended || !w.current() {
		return
	}
	t.state = stateRunning
	t.wokenBy = w.gen
	// current is left set after the step, so that a task that resumes
	// itself (Sleep(ctx, 0) with nothing else ready) costs no atomic
	// store; running a callback clears it.
	if l.current.Load() != t {
		l.current.Store(t)
	}
	if l.debug {
		if t.debug == nil { // spawned before SetDebug(true)
			t.debug = new(taskDebug)
		}
		t.debug.started = time.Now()
	}
	probe := l.probe.Load() // one load a step; see runOnce
	if probe {
		l.stepBegan(t)
	}
	t.co.resume()
	if t.state == stateRunning { // it returned rather than waited
		t.state = stateDone
		t.co = nil // pooled, or ended, by the coroutine itself
		if l.debug {
			l.checkSlow(t, false)
		}
	}
	if probe {
		l.stepEnded(t, nil)
	}
}

// park suspends the task until a wake for its current wait or until ctx is
// done. It returns errUnwound if the loop is unwinding the task.
//
// Its frame is on the stack of every waiting task; see main for why it is
// kept small, with the registration for a foreign ctx out of line.
func (t *taskCore) park(ctx context.Context) error {
	if !t.cancelWakes(ctx) {
		return t.parkAfterFunc(ctx)
	}
	return t.suspend()
}

// parkAfterFunc is park for a ctx whose end does not wake the task by
// itself: it registers for that end for as long as the task waits.
//
//go:noinline
func (t *taskCore) parkAfterFunc(ctx context.Context) error {
	stop := context.AfterFunc(ctx, t.wakeForCancel)
	err := t.suspend()
	stop()
	return err
}

// cancelWakes reports whether the end of ctx is sure to wake the task
// without an extra registration: true when ctx's cancellation is that of a
// scope the task owns, or when ctx can never be cancelled.
func (t *taskCore) cancelWakes(ctx context.Context) bool {
	if s, ok := ctx.(*scope); ok {
		return s.owner == t
	}
	done := ctx.Done()
	if done == nil {
		return true
	}
	s := scopeOf(ctx)
	return s != nil && s.owner == t && s.Done() == done
}

// suspend hands control back to the loop until the task is resumed.
func (t *taskCore) suspend() error {
	if t.killed {
		return errUnwound
	}
	if t.loop.debug {
		t.loop.checkSlow(t, true)
	}
	t.state = stateSuspended
	if !t.co.yield(struct{}{}) {
		t.killed = true
		t.state = stateRunning
		return errUnwound
	}
	return nil
}

// kill ends a task that is still pending when the loop closes: its ctx is
// cancelled and it is resumed with every wait failing at once, so its
// deferred cleanup runs and its goroutine ends.
func (t *taskCore) kill() {
	l := t.loop
	t.ctx.cancel(context.Canceled, ErrLoopClosed)
	t.killed = true
	if co := t.co; co != nil && t.state == stateSuspended {
		// Stopping the coroutine makes the task's pending yield return
		// false; a task that never started does not run at all.
		t.state = stateRunning
		l.current.Store(t)
		co.end()
		l.current.Store(nil)
	}
	t.co = nil
	t.state = stateDone
	if !t.done.Load() { // it never started
		t.mu.Lock()
		if !t.done.Load() {
			t.finishLocked(errUnwound, nil)
			t.ended()
		} else {
			t.mu.Unlock()
		}
	}
	l.mu.Lock()
	l.tasks.remove(t) // in case the task was not listed as ended
	l.mu.Unlock()
}

// A failureNote is what the report of a failed task needs, kept apart from
// the task so that the loop's list of failures to report does not keep
// the task reachable.
type failureNote struct {
	id    uint64
	task  string
	err   error
	stack []byte
}

// noteFailure remembers a failed task, to report it as soon as the task
// becomes unreachable (asyncio reports it when the task is collected), or
// when the loop closes, unless somebody retrieves the failure before.
func (l *Loop) noteFailure(t *taskCore) {
	n := &failureNote{id: t.id, task: t.Name(), err: t.failure(), stack: t.spawnedStack()}
	l.mu.Lock()
	// A goroutine may have retrieved the failure as soon as the task was
	// done; markRetrieved sets the flag before it takes mu to forget.
	if t.retrieved.Load() || l.closed {
		l.mu.Unlock()
		return
	}
	l.unretrieved[n.id] = n
	l.mu.Unlock()
	// The runtime may run the cleanup at any time, on a goroutine of its
	// own: it hands the report to the loop, which drops it once closed
	// (Close has reported what was left by then).
	runtime.AddCleanup(t, func(id uint64) {
		l.CallSoonThreadsafe(func() { l.reportFailure(id) })
	}, n.id)
}

// forgetFailure takes t off the failures to report; its failure has been
// retrieved. It is safe from any goroutine.
func (l *Loop) forgetFailure(t *taskCore) {
	l.mu.Lock()
	delete(l.unretrieved, t.id)
	l.mu.Unlock()
}

// reportFailure reports the failure of the task id, which has become
// unreachable, unless it was retrieved or reported already.
func (l *Loop) reportFailure(id uint64) {
	l.mu.Lock()
	n := l.unretrieved[id]
	delete(l.unretrieved, id)
	l.mu.Unlock()
	if n != nil {
		l.reportNote(n)
	}
}

// reportUnretrieved reports, in spawn order, each failure nobody retrieved
// that is still listed: those of tasks still reachable as the loop closes.
func (l *Loop) reportUnretrieved() {
	l.mu.Lock()
	notes := make([]*failureNote, 0, len(l.unretrieved))
	for _, n := range l.unretrieved {
		notes = append(notes, n)
	}
	clear(l.unretrieved)
	l.mu.Unlock()
	sort.Slice(notes, func(i, j int) bool { return notes[i].id < notes[j].id })
	for _, n := range notes {
		l.reportNote(n)
	}
}

func (l *Loop) reportNote(n *failureNote) {
	l.CallExceptionHandler(ExceptionContext{
		Message: "task error was never retrieved",
		Err:     n.err,
		Task:    n.task,
		Stack:   n.stack,
	})
}

// checkSlow warns in debug mode when the task's step that is ending kept
// the loop busy for the slow duration or longer. Real time is measured
// whatever the loop's clock: a blocking call is slow in real time.
func (l *Loop) checkSlow(t *taskCore, suspending bool) {
	if t.debug == nil { // debug mode came on during the step
		return
	}
	d := time.Since(t.debug.started)
	if d < l.slow {
		return
	}
	if !suspending {
		l.logger.Warn("asyncio: slow task step", "task", t.Name(), "duration", d, "ended", "task returned")
		return
	}
	l.logger.Warn("asyncio: slow task step", "task", t.Name(), "duration", d, "ended at", string(stack()))
}

// CurrentTask returns the task ctx belongs to, or nil.
func CurrentTask(ctx context.Context) AnyTask {
	if s := scopeOf(ctx); s != nil && s.owner != nil {
		return s.owner.self
	}
	return nil
}

// InTask reports whether the caller is the task ctx belongs to, running
// now: whether a wait with ctx suspends that task. It is false for a ctx of
// no task, and when the caller is a callback, another task or a plain
// goroutine while the task waits. A library whose methods take no ctx, such
// as an io.Reader made for one task, uses it to choose between suspending
// that task and handing the work to the loop with SubmitWait, which blocks
// the goroutine.
//
// The loop knows which task runs, not which goroutine calls: a goroutine
// that asks while the task itself runs is taken for the task (debug mode
// compares goroutines and is not fooled). Hand such objects to other
// goroutines with ToThread or RunInExecutor, whose function starts only
// once the task waits for it, or use them there only while the task waits.
func InTask(ctx context.Context) bool {
	t, err := taskOf(ctx)
	return t != nil && err == nil
}

// AllTasks returns the tasks of ctx's loop that are not done, in the order
// they were spawned.
func AllTasks(ctx context.Context) []AnyTask {
	l := RunningLoop(ctx)
	if l == nil {
		return nil
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []AnyTask
	for t := range l.tasks.all() {
		out = append(out, t.self)
	}
	return out
}

// AnyTask is what every *Task[T] offers whatever T: CurrentTask and AllTasks
// return it.
type AnyTask interface {
	Awaitable
	ID() uint64
	Name() string
	Cancel() bool
	CancelCause(cause error) bool
	Cancelled() bool
}

// taskList is the list of a loop's live tasks, kept under Loop.mu.
type taskList = list[taskCore]

// The links of a task are its first field.
var _ [0]struct{} = [unsafe.Offsetof(taskCore{}.node)]struct{}{}

// stack returns the calling goroutine's stack.
func stack() []byte {
	buf := make([]byte, 8192)
	for {
		n := runtime.Stack(buf, false)
		if n < len(buf) {
			return buf[:n]
		}
		buf = make([]byte, 2*len(buf))
	}
}
