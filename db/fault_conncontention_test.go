package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestConnCallsDoNotStarve queues several tasks' calls on one Conn behind
// a long statement, and checks that a statement of another task, with a
// connection of its own, does not wait for them: calls queued on a Conn
// must not take the pool's goroutines, one per connection.
func TestConnCallsDoNotStarve(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		runReal(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			c, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Release()
			long := busySQL(t, ctx, p, 500*time.Millisecond)
			marker := asyncio.NewEvent()
			var tasks []*asyncio.Task[int64]
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
				marker.Set()
				return c.Exec(ctx, long)
			}))
			if err := marker.Wait(ctx); err != nil {
				return err
			}
			for range 3 {
				tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
					return c.Exec(ctx, "SELECT 1")
				}))
			}
			// Let the queued calls reach the pool.
			for range 10 {
				asyncio.Sleep(ctx, 0)
			}
			clock := asyncio.RunningLoop(ctx)
			start := clock.Time()
			if _, err := p.Exec(ctx, "SELECT 2"); err != nil {
				t.Fatal(err)
			}
			took := clock.Time() - start
			t.Logf("a statement on the other connection took %v", took)
			if took > 400*time.Millisecond {
				t.Errorf("a statement on the other connection waited %v for a Conn's queue", took)
			}
			for _, task := range tasks {
				if _, err := task.Wait(ctx); err != nil {
					t.Error(err)
				}
			}
			return nil
		})
	})
}
