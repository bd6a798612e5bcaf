package jobs_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/jobs"
)

// TestSnapshotDoing: a task waiting in Get shows what it waits for in a
// snapshot (and so in asyncio ps).
func TestSnapshotDoing(t *testing.T) {
	name := queueName(t)
	run(t, func(ctx context.Context, c *jobs.Client) error {
		q, err := jobs.OpenQueue[int](ctx, c, name)
		if err != nil {
			return err
		}
		getter := asyncio.Spawn(ctx, q.Get)
		// One pass of the loop: the getter runs to its wait.
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return err
		}
		var got string
		for _, ti := range snap.Tasks {
			if ti.ID == getter.ID() {
				got = ti.Doing
			}
		}
		if want := "jobs: waiting for an item of queue " + name; got != want {
			t.Errorf("the getter is doing %q, want %q", got, want)
		}
		getter.Cancel()
		if _, err := getter.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Get: %v", err)
		}
		return nil
	})
}
