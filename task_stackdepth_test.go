package asyncio

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"
)

// These tests guard the stack of a parked task. A goroutine starts with a
// 2 KiB stack, and the runtime doubles it to 4 KiB when a call goes deeper
// than its guard allows, about 1,100 B below the top. A stream server
// keeps a task, and so a goroutine, per idle connection, parked in a read:
// if the frames at that park, or on the way to it, cross the guard, every
// idle connection costs 2 KiB more. A few bytes of frame growth in the park
// path (a defer, a local, a call no longer inlined) are enough, which is
// why that path is split into small functions with the rare cases out of
// line: see Task.main, futureCore.wait, StreamReader.wait and
// streamServer.startHandler. The race detector makes frames larger, so the
// tests skip under it.

// maxStackPerParkedTask is what the tests allow: 2 KiB and a margin for
// noise, well below the 4 KiB of a grown stack.
const maxStackPerParkedTask = 2560

// stackInuse returns the bytes of goroutine stacks in use.
func stackInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.StackInuse
}

// startStackTest skips under the race detector, and turns the collector
// off for the rest of the test: a collection shrinks stacks that grew,
// which would hide a growth from the test.
func startStackTest(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("the race detector makes stack frames larger")
	}
	old := debug.SetGCPercent(-1)
	t.Cleanup(func() { debug.SetGCPercent(old) })
}

// checkStackPerTask fails the test if the stack per task, got, is that of
// a grown stack. Goroutines may start larger than 2 KiB (the runtime sizes
// new stacks after the average it saw at the last collection, GODEBUG
// adaptivestackstart), and then nothing can be measured: it skips if
// tasks parked in a shallow wait have such stacks too.
func checkStackPerTask(t *testing.T, what string, got float64) {
	t.Helper()
	t.Logf("stack per task parked in %s: %.0f B", what, got)
	if got <= maxStackPerParkedTask {
		return
	}
	if base := parkedStack(t, 1000, func(ctx context.Context) error { return NewEvent().Wait(ctx) }); base > maxStackPerParkedTask {
		t.Skipf("goroutines start with a stack of %.0f B here: no growth to see", base)
	}
	t.Errorf("stack per task parked in %s = %.0f B, want at most %d: the path to the park grew the stack", what, got, maxStackPerParkedTask)
}

// parkedStack runs n tasks that each call wait, which must wait until the
// task is cancelled, and returns the stack per task once every one is
// parked: the growth of the stacks in use, which may be less than the
// stacks' size if goroutines of earlier tests are reused. Run cancels the
// tasks as it ends.
func parkedStack(t *testing.T, n int, wait func(ctx context.Context) error) float64 {
	var per float64
	_, err := Run(func(ctx context.Context) (struct{}, error) {
		started := 0
		before := stackInuse()
		for range n {
			Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				started++
				return struct{}{}, wait(ctx)
			})
		}
		for started < n {
			if err := Sleep(ctx, 0); err != nil {
				return struct{}{}, err
			}
		}
		if err := Sleep(ctx, 0); err != nil { // each is parked now
			return struct{}{}, err
		}
		per = float64(stackInuse()-before) / float64(n)
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return per
}

func TestParkedTaskStack(t *testing.T) {
	startStackTest(t)
	const n = 2000
	for _, c := range []struct {
		what string
		wait func(ctx context.Context) error
	}{
		{"StreamReader.ReadLine", func(ctx context.Context) error {
			_, err := newStreamReader(0).ReadLine(ctx)
			return err
		}},
		{"StreamReader.Read", func(ctx context.Context) error {
			_, err := newStreamReader(0).Read(ctx, 1024)
			return err
		}},
		{"Future.Wait", func(ctx context.Context) error {
			_, err := NewFuture[int](ctx).Wait(ctx)
			return err
		}},
	} {
		t.Run(c.what, func(t *testing.T) {
			checkStackPerTask(t, c.what, parkedStack(t, n, c.wait))
		})
	}
}
