package asyncio

import (
	"context"
	"errors"
	"fmt"
)

// ErrTimeout is the error a timeout scope returns when its own deadline
// expired; it satisfies errors.Is(err, context.DeadlineExceeded).
var ErrTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string { return "asyncio: timeout" }

// Is makes ErrTimeout match context.DeadlineExceeded, so code that checks for
// Go's deadline error also recognises an asyncio timeout.
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// Errors returned by the runtime.
var (
	// ErrNotDone is returned by Result and Err of a task or future that has
	// not finished (asyncio's InvalidStateError).
	ErrNotDone = errors.New("asyncio: result is not ready")
	// ErrLoopClosed is returned when a closed loop is asked to do something.
	ErrLoopClosed = errors.New("asyncio: loop is closed")
	// ErrServerClosed is returned by StartServing on a closed server.
	ErrServerClosed = errors.New("asyncio: server is closed")
	// ErrDeadlock is the cause with which a loop on a virtual clock cancels
	// its tasks when they all wait for something nothing can bring (see
	// VirtualClock.SetDeadlockTimeout).
	ErrDeadlock = errors.New("asyncio: deadlock")
	// ErrLoopStopped is returned by RunUntilDone, Run and Runner.Run when
	// Loop.Stop ends the loop before what they run is done.
	ErrLoopStopped = errors.New("asyncio: loop stopped before the task was done")
	// ErrLoopRunning is returned when a loop that is already running is
	// asked to run again.
	ErrLoopRunning = errors.New("asyncio: loop is already running")
	// ErrWrongGoroutine is returned by a wait given the ctx of a task but
	// called from outside that task: from another task, or from a goroutine
	// the task started. Such a call cannot suspend the task it names.
	ErrWrongGoroutine = errors.New("asyncio: wait with a task's ctx called outside that task")
	// ErrNoTask is returned by operations that need a task, such as Gather
	// and WithTaskGroup, when ctx belongs to no task.
	ErrNoTask = errors.New("asyncio: ctx belongs to no task")
)

// CancelledError is what waits return inside a task that was cancelled with
// a cause (Task.CancelCause). It satisfies errors.Is(err, context.Canceled)
// and unwraps to the cause.
type CancelledError struct {
	Cause error
}

func (e *CancelledError) Error() string { return "context canceled: " + e.Cause.Error() }

// Is reports that a CancelledError is a cancellation.
func (e *CancelledError) Is(target error) bool { return target == context.Canceled }

// Unwrap returns the cause given to CancelCause.
func (e *CancelledError) Unwrap() error { return e.Cause }

// PanicError carries a panic out of the task that raised it. Task.Wait,
// Gather and task groups re-panic with it in whoever waits for the task;
// Task.Err returns it without panicking.
type PanicError struct {
	// Value is what the task passed to panic.
	Value any
	// Task is the name of the task that panicked.
	Task string
	// Stack is the stack of the task's goroutine when it panicked.
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("asyncio: task %q panicked: %v\n\n%s", e.Task, e.Value, e.Stack)
}

// Unwrap returns the panic value if it is an error.
func (e *PanicError) Unwrap() error {
	if err, ok := e.Value.(error); ok {
		return err
	}
	return nil
}

// isCancellation reports whether err is a cancellation or deadline error.
func isCancellation(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// isCancelled reports whether err is a failure that is no failure: a
// cancellation. A panic (*PanicError) never is, nor a timeout: asyncio's
// TimeoutError is an ordinary exception, reported when nobody retrieves it.
func isCancelled(err error) bool {
	if _, ok := err.(*PanicError); ok {
		return false
	}
	return errors.Is(err, context.Canceled)
}
