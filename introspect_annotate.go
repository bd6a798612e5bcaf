package asyncio

import (
	"context"
	"fmt"
)

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
	return annotate(ctx, note{text: doing})
}

// AnnotateWith is Annotate with a description made only when it is read,
// by a Snapshot or `asyncio ps`: for a wait so short and so frequent, a
// job of a worker say, that building its text every time would cost more
// than the wait itself. doing.String is called from the goroutine that
// takes the snapshot, while the task runs: it must only read what does
// not change until done is called.
func AnnotateWith(ctx context.Context, doing fmt.Stringer) (done func()) {
	return annotate(ctx, note{lazy: doing})
}

// A note is what Annotate or AnnotateWith said: one of text or lazy.
type note struct {
	text string
	lazy fmt.Stringer
}

func (n note) String() string {
	if n.lazy != nil {
		return n.lazy.String()
	}
	return n.text
}

func annotate(ctx context.Context, doing note) (done func()) {
	s := scopeOf(ctx)
	if s == nil || s.owner == nil {
		return func() {}
	}
	t := s.owner
	l := t.loop
	l.notesMu.Lock()
	if l.notes == nil {
		l.notes = make(map[uint64]note)
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
	n := l.notes[id]
	l.notesMu.Unlock()
	// Made outside the lock: a lazy note's String may take its time.
	return n.String()
}
