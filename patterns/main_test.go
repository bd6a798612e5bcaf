package patterns_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// now returns the loop time of ctx's task.
func now(ctx context.Context) time.Duration { return asyncio.RunningLoop(ctx).Time() }

// spawn starts fn as a task and returns it.
func spawn(ctx context.Context, name string, fn func(ctx context.Context) error) *asyncio.Task[struct{}] {
	return asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, fn(ctx)
	}, asyncio.Name(name))
}

// settle lets every ready task run until all are blocked: a few
// iterations of the loop, no time passing.
func settle(ctx context.Context) {
	for range 10 {
		asyncio.Sleep(ctx, 0)
	}
}

// mustPanic fails t unless fn panics.
func mustPanic(t *testing.T, what string, fn func()) {
	t.Helper()
	defer func() {
		if recover() == nil {
			t.Errorf("%s did not panic", what)
		}
	}()
	fn()
}

// ms returns n milliseconds.
func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }
