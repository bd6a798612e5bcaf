package asyncio

import "context"

// Annotate says what the task of ctx is doing, in the words a person
// reading a Snapshot needs: the statement a database query runs, the URL a
// request fetches. Snapshots show it as TaskInfo.Doing, and `asyncio ps`
// beside the task's wait, until done is called; done puts back what was
// said before, so annotations nest. Libraries call it around a wait whose
// kind alone ("executor", "Semaphore.Acquire") would not tell what the
// task is stuck on.
//
// With a ctx that belongs to no task, Annotate does nothing.
func Annotate(ctx context.Context, doing string) (done func()) {
	s := scopeOf(ctx)
	if s == nil || s.owner == nil {
		return func() {}
	}
	t := s.owner
	l := t.loop
	l.notesMu.Lock()
	if l.notes == nil {
		l.notes = make(map[uint64]string)
	}
	prev, had := l.notes[t.id]
	l.notes[t.id] = doing
	l.notesMu.Unlock()
	return func() {
		l.notesMu.Lock()
		if had {
			l.notes[t.id] = prev
		} else {
			delete(l.notes, t.id)
		}
		l.notesMu.Unlock()
	}
}

// doing is what Annotate last said of task id, or "".
func (l *Loop) doing(id uint64) string {
	l.notesMu.Lock()
	defer l.notesMu.Unlock()
	return l.notes[id]
}
