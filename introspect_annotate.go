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
	notes := &t.loop.notes
	prev, had := notes.Swap(t.id, doing)
	return func() {
		if had {
			notes.Store(t.id, prev)
		} else {
			notes.Delete(t.id)
		}
	}
}

// doing is what Annotate last said of task id, or "".
func (l *Loop) doing(id uint64) string {
	if v, ok := l.notes.Load(id); ok {
		return v.(string)
	}
	return ""
}
