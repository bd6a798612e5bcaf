package asyncio

import "strings"

// breakDeadlock handles a loop with a virtual clock on which every task
// waits, no timer is left and no goroutine woke it within the clock's
// deadlock timeout: it reports the tasks as a tree, with what each waits
// for and the await cycles among them, then cancels them with the cause
// ErrDeadlock, so that a test that would hang fails instead.
func (l *Loop) breakDeadlock() {
	s := l.collect()
	if len(s.Tasks) == 0 {
		return
	}
	var b strings.Builder
	s.WriteTree(&b)
	l.CallExceptionHandler(ExceptionContext{
		Message: "deadlock: every task waits and nothing on the loop can wake them\n" + b.String(),
		Err:     ErrDeadlock,
	})
	l.mu.Lock()
	var pending []*taskCore
	for t := range l.tasks.all() {
		pending = append(pending, t)
	}
	l.mu.Unlock()
	for _, t := range pending {
		t.CancelCause(ErrDeadlock)
	}
}
