package asyncio

import (
	"testing"
	"unsafe"
)

// The sizes the memory goals rest on: a suspended task within the 480 B
// size class (with its 2 KiB stack, the cost of a task), a timer at 48 B
// (a million pending timers), a callback's handle at 16 B (one per
// CallSoon, in blocks). A field added to any of them shows here first.
func TestRuntimeSizes(t *testing.T) {
	for _, c := range []struct {
		what      string
		got, most uintptr
	}{
		{"Task[struct{}]", unsafe.Sizeof(Task[struct{}]{}), 480},
		{"TimerHandle", unsafe.Sizeof(TimerHandle{}), 48},
		{"Handle", unsafe.Sizeof(Handle{}), 16},
	} {
		if c.got > c.most {
			t.Errorf("unsafe.Sizeof(%s{}) = %d, want at most %d", c.what, c.got, c.most)
		}
	}
}
