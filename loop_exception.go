package asyncio

import "log/slog"

// ExceptionContext describes a failure nobody else could be told about: a
// panic in a callback, a task failure nobody retrieved, an error in a
// shielded task whose waiter left. It is asyncio's exception-handler context.
type ExceptionContext struct {
	// Message says what happened.
	Message string
	// Err is the failure, if there is one.
	Err error
	// Task names the task concerned, if any.
	Task string
	// Stack is the stack that explains the failure, if one was captured:
	// where a callback panicked, or, in debug mode, where a failed task
	// was spawned. A task's panic carries its own stack in its
	// *PanicError.
	Stack []byte
}

// SetExceptionHandler makes h the loop's exception handler; nil restores the
// default, which logs through the loop's slog.Logger. Call it before the
// loop runs or from code running on the loop.
func (l *Loop) SetExceptionHandler(h func(ExceptionContext)) { l.handler = h }

// CallExceptionHandler reports c to the loop's exception handler. A panic in
// the handler is logged by the default handler rather than propagated.
func (l *Loop) CallExceptionHandler(c ExceptionContext) {
	h := l.handler
	if h == nil {
		l.DefaultExceptionHandler(c)
		return
	}
	defer func() {
		if r := recover(); r != nil {
			l.DefaultExceptionHandler(ExceptionContext{
				Message: "panic in the exception handler",
				Err:     &PanicError{Value: r},
			})
			l.DefaultExceptionHandler(c)
		}
	}()
	h(c)
}

// DefaultExceptionHandler logs c at error level through the loop's logger.
func (l *Loop) DefaultExceptionHandler(c ExceptionContext) {
	attrs := []any{}
	if c.Task != "" {
		attrs = append(attrs, slog.String("task", c.Task))
	}
	if c.Err != nil {
		attrs = append(attrs, slog.Any("err", c.Err))
	}
	if len(c.Stack) > 0 {
		attrs = append(attrs, slog.String("stack", string(c.Stack)))
	}
	l.logger.Error("asyncio: "+c.Message, attrs...)
}
