package asyncio_test

import (
	"context"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// A new worker's loop and its tasks run on one OS thread: the loop's
// goroutine is locked to it, and each switch to a task hands the lock on,
// even across the loop's sleeps.
func TestWorkersTasksStayOnTheLoopThread(t *testing.T) {
	runWorkers(t, func(ctx context.Context) error {
		var tids []int
		w, err := asyncio.StartWorkers(ctx, 2, func(ctx context.Context, i int) error {
			if i == 0 {
				return nil
			}
			record := func(ctx context.Context) (struct{}, error) {
				for range 20 {
					tids = append(tids, syscall.Gettid())
					// The loop sleeps until another thread answers:
					// an unlocked goroutine would likely wake on
					// another thread.
					if _, err := asyncio.ToThread(ctx, func() (int, error) { return syscall.Gettid(), nil }); err != nil {
						return struct{}{}, err
					}
				}
				return struct{}{}, nil
			}
			_, err := asyncio.Gather(ctx, record, record, record)
			return err
		})
		if err != nil {
			return err
		}
		if err := w.Wait(ctx); err != nil {
			return err
		}
		if len(tids) != 60 {
			t.Fatalf("%d steps recorded, want 60", len(tids))
		}
		for _, tid := range tids {
			if tid != tids[0] {
				t.Fatalf("worker 1's tasks ran on threads %v, want one", tids)
			}
		}
		return nil
	})
}
