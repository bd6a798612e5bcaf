package asyncio_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func newTestLogger(w io.Writer, mu *sync.Mutex) *slog.Logger {
	return slog.New(slog.NewTextHandler(lockedWriter{w, mu}, nil))
}

// fakeT is a testing.TB whose FailNow ends the goroutine, as the testing
// package's does, without failing the real test.
type fakeT struct {
	testing.TB
	failed bool
}

func (f *fakeT) Helper()               {}
func (f *fakeT) Errorf(string, ...any) { f.failed = true }
func (f *fakeT) Fatalf(string, ...any) { f.failed = true; runtime.Goexit() }
func (f *fakeT) FailNow()              { f.failed = true; runtime.Goexit() }

// joined returns the errors an errors.Join error holds, in order.
func joined(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

// sleepErr returns a Go body that sleeps d and then fails with err.
func sleepErr(d time.Duration, err error) func(context.Context) error {
	return func(ctx context.Context) error {
		if e := asyncio.Sleep(ctx, d); e != nil {
			return e
		}
		return err
	}
}

// inTask runs fn in a new task and waits for it.
func inTask[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	return asyncio.Spawn(ctx, fn).Wait(ctx)
}

func names[A asyncio.Awaitable](tasks []*asyncio.Task[int], as []A) []int {
	var out []int
	for _, a := range as {
		for i, t := range tasks {
			if asyncio.Awaitable(t) == asyncio.Awaitable(a) {
				out = append(out, i)
			}
		}
	}
	return out
}

// taskByName returns the task of s named name.
func taskByName(t *testing.T, s *asyncio.Snapshot, name string) asyncio.TaskInfo {
	t.Helper()
	for _, ti := range s.Tasks {
		if ti.Name == name {
			return ti
		}
	}
	t.Fatalf("no task %q in snapshot: %+v", name, s.Tasks)
	return asyncio.TaskInfo{}
}

// goTask spawns fn as a task whose result is only an error.
func goTask(ctx context.Context, fn func(ctx context.Context) error, opts ...asyncio.TaskOption) *asyncio.Task[struct{}] {
	return asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	}, opts...)
}

// errOf waits for t and returns its error.
func errOf[T any](ctx context.Context, t *asyncio.Task[T]) error {
	_, err := t.Wait(ctx)
	return err
}

// yieldN gives up the loop n times: every task that was ready runs until it
// waits, n times over.
func yieldN(ctx context.Context, n int) {
	for range n {
		asyncio.Sleep(ctx, 0)
	}
}

// cancelledCtx returns a child of ctx that is already cancelled.
func cancelledCtx(ctx context.Context) context.Context {
	c, cancel := context.WithCancel(ctx)
	cancel()
	return c
}

// isTimeout reports whether err is the ErrTimeout of a timeout scope.
func isTimeout(err error) bool {
	return errors.Is(err, asyncio.ErrTimeout) && errors.Is(err, context.DeadlineExceeded)
}

// realClock is the option for the tests that need real concurrency with
// plain goroutines: the virtual clock would not wait for them.
func realClock() asyncio.Option { return asyncio.WithClock(asyncio.NewRealClock()) }

// drain takes every item q holds now, with TryGet.
func drain[T any](q *asyncio.Queue[T]) []T {
	var out []T
	for {
		v, err := q.TryGet()
		if err != nil {
			return out
		}
		out = append(out, v)
	}
}

// vnow returns the loop time of the task of ctx.
func vnow(ctx context.Context) time.Duration { return asyncio.RunningLoop(ctx).Time() }

// isCancel reports whether err is a cancellation (and not a timeout).
func isCancel(err error) bool {
	return errors.Is(err, context.Canceled) && !errors.Is(err, asyncio.ErrTimeout)
}

// sleepRet returns a task body that sleeps d and then returns v.
func sleepRet[T any](d time.Duration, v T) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		if err := asyncio.Sleep(ctx, d); err != nil {
			var zero T
			return zero, err
		}
		return v, nil
	}
}

// sleepFail returns a task body that sleeps d and then fails with err.
func sleepFail[T any](d time.Duration, err error) func(context.Context) (T, error) {
	return func(ctx context.Context) (T, error) {
		var zero T
		if e := asyncio.Sleep(ctx, d); e != nil {
			return zero, e
		}
		return zero, err
	}
}

// reports collects what a loop reports to its exception handler; pass
// reports.option() to asynciotest.Run to replace the handler that fails
// the test.
type reports struct{ got []asyncio.ExceptionContext }

func (r *reports) option() asyncio.Option {
	return asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { r.got = append(r.got, c) })
}

// mustPanic runs fn and returns what it panicked with; it fails t if fn
// returned normally.
func mustPanic(t testing.TB, fn func()) (r any) {
	t.Helper()
	defer func() { r = recover() }()
	fn()
	t.Errorf("no panic")
	return nil
}

func ret[T any](v T) func(context.Context) (T, error) {
	return func(context.Context) (T, error) { return v, nil }
}
