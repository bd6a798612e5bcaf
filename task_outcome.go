package asyncio

// The methods below are the same for a Task and a Future: they read or
// wait for the outcome both keep in a futureCore. They are written out on
// each type, rather than promoted from futureCore, so that each type's
// documentation lists them as its own.

// Done reports whether the task has finished.
func (t *Task[T]) Done() bool { return t.isDone() }

// Err returns the error the task finished with, nil if it succeeded, a
// *PanicError if it panicked, and ErrNotDone while it runs. Calling Err
// counts as retrieving the failure.
func (t *Task[T]) Err() error { return t.retrieve() }

// Cancelled reports whether the task finished with a cancellation error.
func (t *Task[T]) Cancelled() bool { return t.cancelled() }

// OnDone schedules fn to run on the loop once the task is done; if it is
// done already, fn is scheduled at once. Callbacks run in the order they
// were added, never inline in the code that finished the task. On a loop
// that has closed, fn is dropped, as CallSoonThreadsafe drops it.
func (t *Task[T]) OnDone(fn func()) { t.onDone(fn) }

// Done reports whether the future has been resolved.
func (f *Future[T]) Done() bool { return f.isDone() }

// Err returns the error the future was resolved with, nil if it succeeded,
// and ErrNotDone while it is pending. Calling Err counts as retrieving the
// failure.
func (f *Future[T]) Err() error { return f.retrieve() }

// Cancelled reports whether the future was resolved with a cancellation
// error.
func (f *Future[T]) Cancelled() bool { return f.cancelled() }

// OnDone schedules fn to run on the loop once the future is done; if it is
// done already, fn is scheduled at once. Callbacks run in the order they
// were added, never inline in the code that resolved the future. For a
// future made off any loop, fn runs in the goroutine that resolves it. On
// a loop that has closed, fn is dropped, as CallSoonThreadsafe drops it.
func (f *Future[T]) OnDone(fn func()) { f.onDone(fn) }
