package asyncio

import "context"

// Submit starts fn as a new task on l from any goroutine, and returns the
// task (asyncio.run_coroutine_threadsafe). The task runs once l runs; its
// ctx has no values and is cancelled by Task.Cancel, which, like Wait and
// Result, is safe from any goroutine. On a loop that is closing or closed,
// Submit returns ErrLoopClosed.
func Submit[T any](l *Loop, fn func(context.Context) (T, error), opts ...TaskOption) (*Task[T], error) {
	return trySpawn(l, context.Background(), false, true, fn, opts)
}

// SubmitWait runs fn as a new task on l and waits for its result, from a
// goroutine that is not one of l's tasks. Cancellation goes both ways: if
// ctx ends first, the task is cancelled and SubmitWait returns ctx's error
// at once; if the task is cancelled on the loop, SubmitWait returns its
// cancellation. A panic in fn is re-raised in the caller as a *PanicError.
func SubmitWait[T any](ctx context.Context, l *Loop, fn func(context.Context) (T, error), opts ...TaskOption) (T, error) {
	t, err := Submit(l, fn, opts...)
	if err != nil {
		var zero T
		return zero, err
	}
	v, err := t.Wait(ctx)
	if err != nil && !t.Done() {
		t.Cancel()
	}
	return v, err
}

// Recv receives from ch as a wait of the task of ctx: the task is
// suspended, and the loop runs others, until a value arrives, ch is
// closed (ok false), or ctx ends. It turns any channel, and so any Go API
// that delivers through one, into an awaitable. With a ctx of no task it
// simply receives.
//
// A value that arrives at the moment ctx ends is returned rather than
// dropped, since it cannot be put back into ch: a receive that completes
// wins over the cancellation here, unlike the waits of the loop's own
// primitives. The cancellation is seen at the next wait.
//
// Under a virtual clock, a pending Recv does not stop the clock from
// jumping to the next timer, since a channel may never deliver: a test
// whose sender is an ordinary goroutine should not race it against a
// timeout (ToThread, whose work always ends, does hold the clock).
func Recv[T any](ctx context.Context, ch <-chan T) (v T, ok bool, err error) {
	if t, terr := taskOf(ctx); terr != nil || t == nil {
		if terr != nil {
			return v, false, terr
		}
		if err := checkBlocking(); err != nil {
			return v, false, err
		}
		select {
		case v, ok = <-ch:
			return v, ok, nil
		case <-ctx.Done():
			return v, false, waitError(ctx)
		}
	}
	select { // already there: no goroutine needed
	case v, ok = <-ch:
		return v, ok, nil
	default:
	}
	type received struct {
		v  T
		ok bool
	}
	f := NewFuture[received](ctx)
	stop, finished := make(chan struct{}), make(chan struct{})
	// The receiving goroutine's owner is this call; it ends when a value
	// arrives or when the call stops waiting. Unlike executor work it does
	// not hold a virtual clock still: a channel may never deliver.
	go func() {
		defer close(finished)
		select {
		case v, ok := <-ch:
			f.SetResult(received{v, ok})
		case <-stop:
		}
	}()
	r, err := f.Wait(ctx)
	close(stop)
	if err != nil {
		// The goroutine may have received as ctx ended: wait for it (it
		// is leaving its select) and keep the value if there is one.
		<-finished
		if r, rerr := f.Result(); rerr == nil {
			return r.v, r.ok, nil
		}
		return v, false, err
	}
	return r.v, r.ok, nil
}
