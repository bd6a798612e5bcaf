package asyncio

import (
	"context"
	"errors"
)

// Shield runs fn in a new task that the cancellation of ctx does not reach,
// and waits for it (asyncio.shield). If ctx is cancelled first, Shield
// returns ctx's error at once while the inner task runs on; the loop owns
// it, and reports its failure to the exception handler, since nobody is
// left to receive it.
//
// To keep a region of the current task from seeing cancellation at all
// (trio's shielded cancel scope), run it with context.WithoutCancel(ctx).
func Shield[T any](ctx context.Context, fn func(context.Context) (T, error)) (T, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return fn(context.WithoutCancel(ctx))
	}
	inner := spawn(l, ctx, false, fn, []TaskOption{Name("shielded")})
	v, err := inner.Wait(ctx)
	if err != nil && !inner.Done() {
		inner.OnDone(func() {
			// A timeout is a failure; only a cancellation is not.
			if e := inner.failure(); e != nil && (inner.panicked != nil || !errors.Is(e, context.Canceled)) {
				inner.markRetrieved()
				l.CallExceptionHandler(ExceptionContext{
					Message: "shielded task failed after its waiter was cancelled",
					Err:     e,
					Task:    inner.Name(),
				})
			}
		})
	}
	return v, err
}
