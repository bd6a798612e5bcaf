package asyncio_test

import (
	"context"
	"runtime"
	"testing"
	"time"
	"weak"

	"github.com/asyncio-go/asyncio"
)

// TestTimeoutClosedReleasesTask checks that a closed timeout scope, whose
// cancelled timer the loop keeps until it purges or reaches it, does not
// keep the task that used it alive.
func TestTimeoutClosedReleasesTask(t *testing.T) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		child := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				return asyncio.Sleep(ctx, 0)
			})
		})
		if _, err := child.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		w := weak.Make(child)
		child = nil
		runtime.GC()
		runtime.GC()
		if w.Value() != nil {
			t.Error("the task is still reachable after its timeout scope closed")
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// BenchmarkTimeout measures a timeout scope around one wait that does not
// suspend for long: open, Sleep(ctx, 0), close.
func BenchmarkTimeout(b *testing.B) {
	b.ReportAllocs()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		for b.Loop() {
			if err := asyncio.Timeout(ctx, time.Hour, func(ctx context.Context) error {
				return asyncio.Sleep(ctx, 0)
			}); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}
