package asyncio

import (
	"context"
	"errors"
)

// A TaskGroup holds tasks that end together (asyncio.TaskGroup, trio's
// nursery). WithTaskGroup makes one and runs a body in it; SpawnIn, Go and
// Start add children.
//
// The first child that fails (returns an error other than a cancellation,
// or panics; a timeout of its own, ErrTimeout, is a failure) cancels its
// siblings and the body, with its failure as the cause (Cause of their
// ctx returns it). The group then waits for
// every child to end, however often it is cancelled meanwhile, and returns
// the failures joined with errors.Join, in the order they happened, the
// body's own error among them. A child cancelled on its own is not a
// failure. If the group's ctx is cancelled from outside and nothing failed,
// it returns the cancellation.
type TaskGroup struct {
	g *group
}

// WithTaskGroup runs body in a new task group and returns once body and
// every child have ended. It needs the ctx of the running task: it returns
// ErrNoTask or ErrWrongGoroutine otherwise. body's ctx is the group's: it is cancelled with
// the group. A panic in body or in a child is re-raised, as a *PanicError
// for a child, after every child has ended.
func WithTaskGroup(ctx context.Context, body func(ctx context.Context, g *TaskGroup) error) error {
	gr, err := newGroup(ctx, true)
	if err != nil {
		return err
	}
	tg := &TaskGroup{g: gr}
	var bodyPanic any
	bodyErr := func() (err error) {
		defer func() {
			if r := recover(); r != nil {
				bodyPanic = r
				gr.cancel(&PanicError{Value: r, Task: gr.owner.Name(), Stack: stack()})
			}
		}()
		return body(gr.scope, tg)
	}()
	if bodyErr != nil && !(isCancellation(bodyErr) && gr.scope.Err() != nil) {
		gr.fail(bodyErr)
	}
	werr := gr.wait()
	gr.close()
	if bodyPanic != nil {
		panic(bodyPanic)
	}
	if gr.firstPanic != nil {
		panic(gr.firstPanic)
	}
	if werr != nil {
		return werr
	}
	if len(gr.failures) > 0 {
		return errors.Join(gr.failures...)
	}
	if err := waitError(ctx); err != nil {
		return err
	}
	if bodyErr != nil && !gr.cancelledByUs {
		return bodyErr
	}
	return nil
}

// SpawnIn starts fn as a child of g and returns its task, whose result is
// there once the group has ended. Spawning into a group that is being
// cancelled starts a child that is cancelled before its first step;
// spawning into a group that has ended panics.
func SpawnIn[T any](g *TaskGroup, fn func(context.Context) (T, error), opts ...TaskOption) *Task[T] {
	if g.g.closed {
		panic("asyncio: SpawnIn on a task group that has ended")
	}
	return spawnChild(g.g, fn, opts)
}

// Go starts fn as a child of g, for children with no result.
func (g *TaskGroup) Go(fn func(context.Context) error, opts ...TaskOption) {
	SpawnIn(g, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) }, opts...)
}

// Cancel cancels the group: every child and the body see their ctx end.
// It is not a failure: the group returns nil unless something failed.
func (g *TaskGroup) Cancel() { g.g.cancel(nil) }

// Start starts fn as a child of g and waits until fn calls started, then
// returns the value fn passed to it (trio's nursery.start): a server task
// can report the address it listens on once it is ready. If fn returns or
// panics before calling started, Start returns its error (or re-panics) and
// the group does not count it as a failure. If ctx ends first, the child is
// cancelled and Start returns ctx's error once it has ended. Calling started
// twice panics.
func Start[T any](ctx context.Context, g *TaskGroup, fn func(ctx context.Context, started func(T)) error, opts ...TaskOption) (T, error) {
	var zero T
	ready := NewFuture[T](ctx)
	var t *Task[struct{}]
	t = SpawnIn(g, func(cctx context.Context) (struct{}, error) {
		defer func() {
			if !ready.Done() {
				t.startFailed = true // returned or panicked before started
			}
		}()
		err := fn(cctx, func(v T) {
			if !ready.TrySetResult(v) {
				panic("asyncio: started called twice")
			}
		})
		if err == nil && !ready.Done() {
			err = errStartEnded
		}
		return struct{}{}, err
	}, opts...)
	t.OnDone(func() {
		if !ready.Done() {
			ready.TrySetError(errStartEnded)
		}
	})
	if err := ready.wait(ctx); err != nil {
		t.Cancel()
		t.wait(context.WithoutCancel(ctx))
		t.markRetrieved() // its failure is ours to report: err
		if ready.Done() && ready.err == nil {
			return ready.val, nil
		}
		return zero, err
	}
	if ready.err == nil {
		return ready.val, nil
	}
	// The child ended before calling started.
	if werr := t.wait(context.WithoutCancel(ctx)); werr != nil {
		return zero, werr
	}
	if t.panicked != nil {
		t.markRetrieved()
		panic(t.panicked)
	}
	t.markRetrieved()
	return zero, t.err
}

var errStartEnded = errors.New("asyncio: task returned without calling started")
