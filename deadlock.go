package asyncio

import (
	"fmt"
	"strings"
)

// breakDeadlock handles a loop with a virtual clock on which every task
// waits, no timer is left and no goroutine woke it within the clock's
// deadlock timeout: it reports the tasks and what they wait for, then
// cancels them with the cause ErrDeadlock, so that a test that would hang
// fails instead.
func (l *Loop) breakDeadlock() {
	l.mu.Lock()
	var pending []*taskCore
	for t := l.tasks.head; t != nil; t = t.nextTask {
		pending = append(pending, t)
	}
	l.mu.Unlock()
	if len(pending) == 0 {
		return
	}
	var b strings.Builder
	for _, t := range pending {
		fmt.Fprintf(&b, "%s waits", t.Name())
		switch {
		case t.awaiting != nil && t.awaiting.task != nil:
			fmt.Fprintf(&b, " for task %s", t.awaiting.task.Name())
		case t.awaiting != nil:
			b.WriteString(" for a future")
		case t.waitingFor != "":
			b.WriteString(" in " + t.waitingFor)
		}
		b.WriteString("\n")
	}
	l.CallExceptionHandler(ExceptionContext{
		Message: "deadlock: every task waits and nothing on the loop can wake them\n" + b.String(),
		Err:     ErrDeadlock,
	})
	for _, t := range pending {
		t.CancelCause(ErrDeadlock)
	}
}
