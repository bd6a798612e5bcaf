package asyncio

import "context"

// taskOf returns the task that a wait with ctx must suspend: nil if ctx
// belongs to no task (the caller then blocks its goroutine), or
// ErrWrongGoroutine if ctx belongs to a task that is not the one running.
func taskOf(ctx context.Context) (*taskCore, error) {
	s := scopeOf(ctx)
	if s == nil || s.owner == nil {
		return nil, nil
	}
	t := s.owner
	l := t.loop
	if l.current.Load() != t {
		return nil, ErrWrongGoroutine
	}
	if t.debug != nil && t.debug.goid != 0 && goid() != t.debug.goid {
		return nil, ErrWrongGoroutine
	}
	return t, nil
}

// taskID returns the id of the task ctx belongs to, or 0.
func taskID(ctx context.Context) uint64 {
	if s := scopeOf(ctx); s != nil && s.owner != nil {
		return s.owner.id
	}
	return 0
}
