package asyncio

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// ErrWorkersVirtualClock is returned by StartWorkers asked for more than
// one worker when the caller's loop, or the options of the new loops, use
// a VirtualClock: a virtual clock jumps when its one loop is idle, and
// loops on other threads are never idle together with it.
var ErrWorkersVirtualClock = errors.New("asyncio: workers cannot run on a virtual clock")

// Workers is a set of loops that each run one main function: the
// shared-nothing "one loop per core" of uvicorn's workers, Node's cluster
// and Seastar, in one process. StartWorkers makes it; Wait ends it.
//
// Each worker has its own loop, tasks, timers and poller, and shares no
// state with the others unless its main reaches for some: a server that
// wants to use every core runs one listener per worker on the same port
// with ReusePort, and the kernel spreads the connections over them.
type Workers struct {
	loops []*Loop
	tasks []*Task[struct{}]
	// stopCaller undoes the watch on the caller's ctx (context.AfterFunc).
	stopCaller func() bool

	mu       sync.Mutex
	started  int     // mains that have begun
	ended    int     // workers whose main has returned and, for an extra loop, whose loop is closed
	failures []error // in the order they happened
	// cancelled says that the workers have been cancelled (by Cancel, by
	// the caller's ctx or by a failure).
	cancelled bool

	running *Event // set once every main has begun or every worker has ended
	done    *Event // set once every worker has ended
}

// StartWorkers runs main on n loops, each with its index as worker: on
// the caller's loop as a task (worker 0), and on n-1 new loops, each made
// with opts and driven on a goroutine of its own locked to an OS thread
// (runtime.LockOSThread): each loop, and every task of it, runs on one
// thread, and the loops run in parallel. It must be called from a task
// (ErrNoTask otherwise), and n must be at least 1; with n == 1 main runs
// only as a task of the caller's loop.
//
// The new loops inherit the caller loop's debug mode, slow-step duration,
// I/O backend, logger and exception handler (which may then be called from
// several threads), before opts, which override them; they do not handle
// SIGINT, since cancelling the caller's task (which Run does on Ctrl-C)
// cancels every worker, nor share the caller's executor, which each loop
// shuts down when it closes. A VirtualClock drives one loop only: with a
// virtual clock, on the caller's loop or in opts, n > 1 returns
// ErrWorkersVirtualClock.
//
// main's ctx is that of a task on the worker's loop (named "worker-N"). It
// carries the values of the caller's ctx, but not its cancellation or
// deadline, which reach the workers through the Workers: cancelling the
// caller's task, a call of Cancel, or the failure of one worker (an error
// other than a cancellation, or a panic, as a *PanicError) cancels every
// worker, as a task group cancels its children. Values that differ per
// worker go through main's closure, indexed by worker.
//
// StartWorkers returns once every main has begun, so that every loop runs
// (Loops lists them) and can be reached. The mains then run concurrently:
// no one of them is ahead of another. For a server on a port chosen by
// the system (an address of port 0), listen first, in the caller's task,
// with ReusePort: that server is on worker 0's loop already, and the other
// workers listen on the port it got, with the host as first given (an
// empty host listens on every interface, where Server.Addrs names only
// one address). See the example.
//
// The caller must call Wait, which returns once every main has returned
// and every new loop is closed (Loop.Close, after its remaining tasks are
// cancelled, as Run does): no goroutine of the workers outlives it. A
// caller that returns without Wait cancels the workers, as its ctx ends
// with it, but does not wait for them. If ctx ends before every main has
// begun, StartWorkers cancels the workers, waits for them to end, and
// returns ctx's error. A worker cancelled before its first step does not
// run main at all, as a task cancelled before it starts does not. Code
// other than the worker's own must not stop or close a new loop.
//
// Why new loops and not one listener handing connections to loops: see
// "One loop per core" in the design notes (docs/design.md).
func StartWorkers(ctx context.Context, n int, main func(ctx context.Context, worker int) error, opts ...Option) (*Workers, error) {
	if n < 1 {
		return nil, fmt.Errorf("asyncio: StartWorkers needs at least 1 worker, got %d", n)
	}
	l0 := RunningLoop(ctx)
	if l0 == nil {
		return nil, ErrNoTask
	}
	if _, err := taskOf(ctx); err != nil {
		return nil, err
	}
	opts = append(inheritedOptions(l0), opts...)
	if n > 1 {
		if _, ok := newConfig(opts).clock.(*VirtualClock); ok || l0.vclock != nil {
			return nil, ErrWorkersVirtualClock
		}
	}
	w := &Workers{
		loops:   make([]*Loop, n),
		tasks:   make([]*Task[struct{}], n),
		running: NewEvent(),
		done:    NewEvent(),
	}
	// The workers see the caller's values but not its task: a task of
	// another loop must not count the caller as its parent.
	values := workerValues{context.WithoutCancel(ctx)}
	w.loops[0] = l0
	for i := 1; i < n; i++ {
		w.loops[i] = NewLoop(opts...)
	}
	// No task runs before the caller yields or its loop's goroutine
	// starts, so the watch on ctx is in place before any worker can end.
	for i, l := range w.loops {
		w.tasks[i] = spawn(l, values, false, w.body(i, main), []TaskOption{Name(workerName(i))})
	}
	w.stopCaller = watchCancel(ctx, func() { w.cancelAll(context.Cause(ctx)) })
	w.tasks[0].OnDone(func() { w.ended1(0) })
	for i := 1; i < n; i++ {
		go w.drive(i)
	}
	if err := w.running.Wait(ctx); err != nil {
		w.cancelAll(context.Cause(ctx))
		w.done.Wait(context.WithoutCancel(ctx))
		return nil, err
	}
	return w, nil
}

func workerName(i int) string { return fmt.Sprintf("worker-%d", i) }

// watchCancel is context.AfterFunc, but for the ctx of a task (or a
// context that shares its Done) it runs f at once in the goroutine that
// cancels the task, instead of on a goroutine of its own, which could
// outlive Wait.
func watchCancel(ctx context.Context, f func()) (stop func() bool) {
	if s := scopeOf(ctx); s != nil && s.Done() == ctx.Done() {
		return s.AfterFunc(f)
	}
	return context.AfterFunc(ctx, f)
}

// inheritedOptions returns the options that make a new loop configured as
// l is, in what the workers share: see StartWorkers.
func inheritedOptions(l *Loop) []Option {
	opts := []Option{
		Debug(l.debug),
		WithSlowDuration(l.slow),
		WithIOBackend(l.backend),
		WithLogger(l.logger),
		WithInterruptHandling(false),
	}
	if l.handler != nil {
		opts = append(opts, WithExceptionHandler(l.handler))
	}
	return opts
}

// workerValues is the caller's ctx, for its values only: it hides the
// caller's task scope, which belongs to another loop.
type workerValues struct{ context.Context }

func (v workerValues) Value(key any) any {
	if _, ok := key.(scopeKey); ok {
		return nil
	}
	return v.Context.Value(key)
}

// body returns the task function of worker i: main, with the bookkeeping
// of its start and of its failure. A failure is recorded as soon as main
// returns, so that the other workers stop without waiting for this
// worker's loop to close; a panic becomes a *PanicError here, with the
// stack of the panic, since the deferred call runs on top of it.
func (w *Workers) body(i int, main func(context.Context, int) error) func(context.Context) (struct{}, error) {
	return func(ctx context.Context) (_ struct{}, err error) {
		defer func() {
			if r := recover(); r != nil {
				err = &PanicError{Value: r, Task: workerName(i), Stack: stack()}
			}
			if err != nil && !isCancelled(err) && !(isCancellation(err) && ctx.Err() != nil) {
				w.fail(err)
			}
		}()
		w.begun()
		return struct{}{}, main(ctx, i)
	}
}

// drive runs extra loop i until its worker's main returns, then shuts it
// down as Run does: it cancels the tasks left and waits for them, shuts
// the executor down and closes the loop. It runs on a goroutine that
// StartWorkers starts, locked to its OS thread, and that ends once the
// loop is closed; Wait waits for that.
func (w *Workers) drive(i int) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	l, t := w.loops[i], w.tasks[i]
	if err := l.runWhile(func() bool { return !t.done.Load() }); err != nil {
		// Loop.Stop, called by code of the worker, ends the worker.
		w.fail(fmt.Errorf("asyncio: %s: %w", workerName(i), err))
	}
	t.markRetrieved() // before Close, which reports failures nobody saw
	l.cancelAllTasks()
	l.shutdownExecutor()
	l.Close()
	w.ended1(i)
}

// begun records that a main has begun.
func (w *Workers) begun() {
	w.mu.Lock()
	w.started++
	all := w.started == len(w.loops)
	w.mu.Unlock()
	if all {
		w.running.Set()
	}
}

// ended1 records that worker i has ended: its main has returned and, for
// an extra loop, the loop is closed. The failure, if any, was recorded by
// body; the task's outcome is marked seen, so that no loop reports it.
func (w *Workers) ended1(i int) {
	w.tasks[i].markRetrieved()
	w.mu.Lock()
	w.ended++
	all := w.ended == len(w.loops)
	w.mu.Unlock()
	if all {
		w.stopCaller()
		w.running.Set() // for a StartWorkers whose workers ended before all began
		w.done.Set()
	}
}

// fail records a worker's failure and cancels every worker, with the
// first failure as the cause their ctx reports.
func (w *Workers) fail(err error) {
	w.mu.Lock()
	w.failures = append(w.failures, err)
	w.mu.Unlock()
	w.cancelAll(err)
}

// cancelAll cancels every worker for cause, once: later calls find the
// workers cancelled already and keep the first cause.
func (w *Workers) cancelAll(cause error) {
	w.mu.Lock()
	if w.cancelled {
		w.mu.Unlock()
		return
	}
	w.cancelled = true
	w.mu.Unlock()
	for _, t := range w.tasks {
		t.CancelCause(cause)
	}
}

// Len returns the number of workers.
func (w *Workers) Len() int { return len(w.loops) }

// Loops returns the workers' loops, by worker: the caller's loop first.
// The extra loops are closed once their worker has ended.
func (w *Workers) Loops() []*Loop { return append([]*Loop(nil), w.loops...) }

// Cancel cancels every worker's main. It is not a failure: Wait returns
// nil unless a worker failed. It is safe from any goroutine.
func (w *Workers) Cancel() { w.cancelAll(nil) }

// Wait waits until every worker has ended (every main has returned, every
// extra loop is closed) and returns the workers' failures joined with
// errors.Join, in the order they happened: errors other than
// cancellations, and panics as *PanicError. A worker cancelled (by Cancel,
// by another's failure, by the caller's cancellation) is not a failure.
// Given the ctx of a task, Wait suspends it; given another ctx, it blocks
// the calling goroutine. If ctx ends first, Wait cancels the workers and
// still waits for them to end, as a task group does; it then returns the
// failures, or ctx's error if there are none. Wait may be called more than
// once, and returns the same failures each time.
func (w *Workers) Wait(ctx context.Context) error {
	if err := w.done.Wait(ctx); err != nil {
		w.cancelAll(context.Cause(ctx))
		w.done.Wait(context.WithoutCancel(ctx))
	}
	w.mu.Lock()
	failures := w.failures
	w.mu.Unlock()
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	return waitError(ctx)
}
