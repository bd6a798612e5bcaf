package asyncio

import (
	"context"
	"errors"
	"os"
	"os/signal"
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
// Run blocks the calling goroutine: it must not be called from a task,
// whose loop would stop until it returned (asyncio raises there; Go cannot
// tell a task's goroutine from another). If main calls Loop.Stop, Run
// returns ErrLoopStopped.
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
	l := r.Loop()
	if l.running.Load() {
		return zero, ErrLoopRunning
	}
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
