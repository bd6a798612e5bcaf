package asyncio

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"runtime"
	"sync"
)

// Run runs main as the first task of a new loop, then shuts down in
// asyncio's order and returns main's result (asyncio.run):
//
//  1. run the loop until main returns;
//  2. cancel every task still pending and run the loop until they are done,
//     reporting any that fail with something other than a cancellation;
//  3. shut the default executor down;
//  4. close the loop, reporting task failures nobody retrieved.
//
// A panic in main comes out of Run, as a *PanicError, after the shutdown.
//
// Run blocks the calling goroutine: called from a task or a callback,
// whose loop would stop until it returned, it returns ErrNestedRun at once,
// as asyncio raises. If main calls Loop.Stop, Run returns ErrLoopStopped.
func Run[T any](main func(context.Context) (T, error), opts ...Option) (T, error) {
	r := NewRunner(opts...)
	defer r.Close()
	return RunOn(r, main)
}

// A Runner runs several main functions on one loop, one after the other,
// and shuts the loop down once (asyncio.Runner). Its loop is made on first
// use. A Runner is not safe for use by several goroutines at once.
type Runner struct {
	opts   []Option
	loop   *Loop
	closed bool
	mu     sync.Mutex
}

// NewRunner returns a Runner whose loop will be configured by opts.
func NewRunner(opts ...Option) *Runner { return &Runner{opts: opts} }

// Loop returns the runner's loop, making it if needed.
func (r *Runner) Loop() *Loop {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.loop == nil {
		r.loop = NewLoop(r.opts...)
	}
	return r.loop
}

// ErrRunnerClosed is returned by a Runner used after Close.
var ErrRunnerClosed = errors.New("asyncio: runner is closed")

// ErrNestedRun is returned by Run, Runner.Run and RunOn called from code
// running on a loop (a task or a callback): the inner loop would block
// the outer one until it returned. (A Runner asked to run from inside its
// own loop returns ErrLoopRunning.) Run a function on the current loop with
// Spawn and Task.Wait instead, or on a loop of its own in another
// goroutine.
var ErrNestedRun = errors.New("asyncio: Run cannot be called from a running event loop")

// onLoop reports whether the calling goroutine runs code of a loop: the
// body of a task (its coroutine's stack starts with Task.main) or the loop
// itself (runOnce). The loop's goroutines are found by their stacks, as
// nothing cheaper marks them: a goroutine-local mark would cost every task
// step or every coroutine something, and this costs Run a walk of the
// caller's stack, a few microseconds (BenchmarkOnLoop).
func onLoop() bool {
	pcs := make([]uintptr, 64)
	for {
		n := runtime.Callers(2, pcs)
		if n < len(pcs) {
			pcs = pcs[:n]
			break
		}
		pcs = make([]uintptr, 2*len(pcs))
	}
	// The frames that tell are at the bottom of the stack.
	for i := len(pcs) - 1; i >= 0; i-- {
		fn := runtime.FuncForPC(pcs[i] - 1)
		if fn == nil {
			continue
		}
		switch fn.Name() {
		case "github.com/asyncio-go/asyncio.(*Task[...]).main", "github.com/asyncio-go/asyncio.(*Loop).runOnce":
			return true
		}
	}
	return false
}

// Run runs main as a task on the runner's loop until it returns, and
// returns its error. A panic in main comes out of Run as a *PanicError.
func (r *Runner) Run(main func(context.Context) error) error {
	_, err := RunOn(r, func(ctx context.Context) (struct{}, error) { return struct{}{}, main(ctx) })
	return err
}

// RunOn runs main as a task on r's loop until it returns, and returns its
// result: Runner.Run with a typed result.
func RunOn[T any](r *Runner, main func(context.Context) (T, error)) (T, error) {
	var zero T
	if r.closed {
		return zero, ErrRunnerClosed
	}
	if l := r.loop; l != nil && l.running.Load() {
		return zero, ErrLoopRunning
	}
	if onLoop() {
		return zero, ErrNestedRun
	}
	l := r.Loop()
	if l.IsClosed() {
		return zero, ErrLoopClosed
	}
	t := spawn(l, context.Background(), false, main, []TaskOption{Name("main")})
	if l.interrupt && !signal.Ignored(os.Interrupt) {
		defer watchInterrupt(t)()
	}
	if err := l.runWhile(func() bool { return !t.done.Load() }); err != nil {
		return zero, err
	}
	return t.Result()
}

// Close shuts the runner's loop down in asyncio's order: cancel the tasks
// still pending and wait for them, report failures, shut the executor
// down, close the loop. Close is idempotent.
func (r *Runner) Close() error {
	if r.closed {
		return nil
	}
	l := r.loop
	if l != nil && l.running.Load() {
		return ErrLoopRunning
	}
	r.closed = true
	if l == nil {
		return nil
	}
	l.cancelAllTasks()
	l.shutdownExecutor()
	return l.Close()
}

// cancelAllTasks cancels every pending task and runs the loop until they
// are all done; a task that then fails with something other than a
// cancellation is reported (asyncio's "unhandled exception during
// asyncio.run() shutdown").
func (l *Loop) cancelAllTasks() {
	l.mu.Lock()
	var pending []*taskCore
	for t := range l.tasks.all() {
		pending = append(pending, t)
	}
	l.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	for _, t := range pending {
		t.Cancel()
	}
	l.runWhile(func() bool {
		for _, t := range pending {
			if !t.done.Load() {
				return true
			}
		}
		return false
	})
	for _, t := range pending {
		if err := t.failure(); err != nil && !t.retrieved.Load() && !isCancelled(err) {
			t.markRetrieved()
			l.CallExceptionHandler(ExceptionContext{
				Message: "task failed during shutdown",
				Err:     err,
				Task:    t.Name(),
			})
		}
	}
}

// watchInterrupt cancels t with ErrInterrupted on the first SIGINT and
// then hands SIGINT back to its former behaviour, so that a second one
// stops the program at once. The watching goroutine belongs to the call
// that started it, and ends when the returned function is called.
func watchInterrupt(t AnyTask) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-ch:
			signal.Stop(ch)
			t.CancelCause(ErrInterrupted)
		case <-quit:
		}
	}()
	return func() {
		signal.Stop(ch)
		close(quit)
		<-done
	}
}
