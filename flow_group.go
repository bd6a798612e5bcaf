package asyncio

import (
	"context"
	"errors"
)

// group is the machinery Gather and TaskGroup share: children spawned in a
// scope of their own, a count of those still running, the failures in the
// order they happened, and the task waiting for all of it.
type group struct {
	loop  *Loop
	scope *scope    // the children's parent ctx; cancelled on the first failure
	owner *taskCore // the task that waits for the children

	pending         int
	failures        []error
	firstPanic      *PanicError
	cancelOnFail    bool
	cancelIsFailure bool // a child cancelled alone fails the group (Gather)
	cancelledByUs   bool // the group cancelled its scope itself
	closed          bool
	ownerWake       wake // while the owner waits for the children
}

// newGroup makes a group owned by the task of ctx. It returns ErrNoTask
// for a ctx of no task, and ErrWrongGoroutine for the ctx of a task that
// is not the one running.
func newGroup(ctx context.Context, cancelOnFail bool) (*group, error) {
	t, err := taskOf(ctx)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, ErrNoTask
	}
	g := &group{loop: t.loop, owner: t, cancelOnFail: cancelOnFail}
	g.scope = newScope(ctx, t.loop, t, true)
	return g, nil
}

// spawnChild starts fn as a child of g.
func spawnChild[T any](g *group, fn func(context.Context) (T, error), opts []TaskOption) *Task[T] {
	g.pending++
	t := spawn(g.loop, g.scope, true, fn, opts)
	t.group = g
	return t
}

// childDone is called on the loop when a child ends.
func (g *group) childDone(t *taskCore) {
	g.pending--
	if err := t.failure(); err != nil && !t.startFailed {
		switch {
		case t.panicked != nil:
			t.markRetrieved()
			if g.firstPanic == nil {
				g.firstPanic = t.panicked
			}
			g.fail(t.panicked)
		case g.scope.Err() != nil && isCancellation(err),
			!g.cancelIsFailure && errors.Is(err, context.Canceled):
			// Cancelled with the group (or by the expiry of an enclosing
			// timeout), or cancelled alone in a task group: not a failure.
			// A child's own timeout (ErrTimeout) is a failure, as
			// asyncio's TimeoutError is.
			t.markRetrieved()
		default:
			t.markRetrieved()
			g.fail(err)
		}
	}
	if g.pending == 0 && g.ownerWake.t != nil {
		g.ownerWake.fire()
	}
}

// fail records a failure and, for a group that does so, cancels the rest,
// with the failure as the cause their ctx reports (Cause), and that their
// waits' *CancelledError unwraps to.
func (g *group) fail(err error) {
	g.failures = append(g.failures, err)
	if g.cancelOnFail {
		g.cancel(err)
	}
}

// cancel cancels every child and the owner's waits in the group's ctx,
// for cause.
func (g *group) cancel(cause error) {
	if g.scope.Err() == nil {
		g.cancelledByUs = true
		g.scope.cancel(context.Canceled, cause)
	}
}

// wait suspends the owner until every child has ended, whatever
// cancellation arrives meanwhile: a cancellation reaches the children
// through the group's scope, and they end. It returns an error only if
// the loop is unwinding the owner.
func (g *group) wait() error {
	t := g.owner
	t.waitingIn, t.waitOn = waitChildren, g
	for g.pending > 0 {
		g.ownerWake = t.beginWait()
		err := t.suspend()
		g.ownerWake = wake{}
		if err != nil {
			return err
		}
	}
	return nil
}

// close releases the group's scope once every child has ended.
func (g *group) close() {
	g.closed = true
	g.scope.release()
	g.scope.detach()
}
