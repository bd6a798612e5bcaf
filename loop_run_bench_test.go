package asyncio

import (
	"context"
	"testing"
)

// BenchmarkOnLoop measures the check that Run makes for ErrNestedRun, from
// a goroutine that is not the loop's.
func BenchmarkOnLoop(b *testing.B) {
	for b.Loop() {
		if onLoop() {
			b.Fatal("on a loop")
		}
	}
}

// BenchmarkRunEmpty measures a Run of a main that returns at once, for
// comparison with BenchmarkOnLoop.
func BenchmarkRunEmpty(b *testing.B) {
	for b.Loop() {
		if _, err := Run(func(context.Context) (int, error) { return 0, nil }, WithWatchdog(false)); err != nil {
			b.Fatal(err)
		}
	}
}
