package asyncio

import "context"

// Gather runs every fn as a task of its own, concurrently, and returns their
// results in argument order (asyncio.gather). The first failure (an error,
// a panic, or a child's cancellation) cancels the other children; Gather
// waits for all of them to end, then returns that first error (with the
// values of the children that succeeded), or re-panics with the first
// panic. Cancelling ctx cancels every child, and Gather returns ctx's error
// once they have ended.
//
// Unlike asyncio.gather, the children are never left running: asyncio lets
// them run on after the first error, which nobody can then cancel.
// GatherSettled is the form that lets every child finish
// (return_exceptions=True). Gather needs the ctx of a task: it returns
// ErrNoTask otherwise.
//
// The first failure is the cause of the others' cancellation: Cause of
// their ctx returns it, and their waits return a *CancelledError that
// unwraps to it.
func Gather[T any](ctx context.Context, fns ...func(context.Context) (T, error)) ([]T, error) {
	return gather(ctx, nil, fns)
}

// GatherNamed is Gather with names for the children's tasks: names[i]
// names the task that runs fns[i] (the Name option of Spawn), as it shows
// in a Snapshot, a stall report, a *PanicError and the report of a
// failure. A child without a name, or with "", is named Task-N.
func GatherNamed[T any](ctx context.Context, names []string, fns ...func(context.Context) (T, error)) ([]T, error) {
	return gather(ctx, names, fns)
}

func gather[T any](ctx context.Context, names []string, fns []func(context.Context) (T, error)) ([]T, error) {
	results := make([]T, len(fns))
	if len(fns) == 0 {
		return results, nil
	}
	g, err := newGroup(ctx, true)
	if err != nil {
		return nil, err
	}
	g.cancelIsFailure = true
	tasks := make([]*Task[T], len(fns))
	for i, fn := range fns {
		var opts []TaskOption
		if i < len(names) && names[i] != "" {
			opts = []TaskOption{Name(names[i])}
		}
		tasks[i] = spawnChild(g, fn, opts)
	}
	werr := g.wait()
	g.close()
	if g.firstPanic != nil {
		panic(g.firstPanic)
	}
	for i, t := range tasks {
		results[i] = t.val
	}
	if werr != nil {
		return results, werr
	}
	if err := waitError(ctx); err != nil {
		return results, err
	}
	if len(g.failures) > 0 {
		return results, g.failures[0]
	}
	return results, nil
}

// A Result is the outcome of one function of GatherSettled.
type Result[T any] struct {
	Value T
	Err   error
}

// GatherSettled runs every fn as a task of its own and waits for all of
// them, whatever fails, returning each outcome in argument order (asyncio's
// gather with return_exceptions=True). A panic in a child is returned as its
// *PanicError. The error is non-nil only when ctx was cancelled: every child
// is then cancelled too, and GatherSettled returns once they have ended.
func GatherSettled[T any](ctx context.Context, fns ...func(context.Context) (T, error)) ([]Result[T], error) {
	results := make([]Result[T], len(fns))
	if len(fns) == 0 {
		return results, nil
	}
	g, err := newGroup(ctx, false)
	if err != nil {
		return nil, err
	}
	tasks := make([]*Task[T], len(fns))
	for i, fn := range fns {
		tasks[i] = spawnChild(g, fn, nil)
	}
	werr := g.wait()
	g.close()
	for i, t := range tasks {
		t.markRetrieved()
		results[i] = Result[T]{Value: t.val, Err: t.failure()}
	}
	if werr != nil {
		return results, werr
	}
	return results, waitError(ctx)
}
