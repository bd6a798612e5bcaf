package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestManyTasks has 1,000 tasks share a pool of 20 connections, each
// incrementing counters in a transaction: every increment lands, the pool
// opens no more than 20 connections and nothing waits afterwards.
func TestManyTasks(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		runReal(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(20))
			defer done()
			tb := table(t, ctx, p, "load", "id INTEGER PRIMARY KEY, n BIGINT NOT NULL")
			const counters = 10
			for i := range counters {
				if _, err := p.Exec(ctx, dialect(p, "INSERT INTO "+tb+" VALUES ($1, 0)"), i); err != nil {
					t.Fatal(err)
				}
			}
			const tasks = 1000
			clock := asyncio.RunningLoop(ctx)
			start := clock.Time()
			attempts := 0
			err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				for i := range tasks {
					g.Go(func(ctx context.Context) error {
						// The counters are locked in one order, so no
						// server deadlock is expected. SQLite's twenty
						// connections queue for its one write lock in
						// its busy handler, which gives up after 5 s
						// (SQLITE_BUSY, a deadlock to Retry): on a
						// loaded machine some do.
						var opts []db.TxOption
						if p.Kind() == "sqlite" {
							opts = append(opts, db.Retry(5))
						}
						return p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
							attempts++
							// Two counters, always in the same order.
							a, b := i%counters, (i+1)%counters
							for _, id := range []int{min(a, b), max(a, b)} {
								if _, err := tx.Exec(ctx, dialect(p, "UPDATE "+tb+" SET n = n + 1 WHERE id = $1"), id); err != nil {
									return err
								}
							}
							_, err := db.QueryRow[int64](ctx, tx, dialect(p, "SELECT n FROM "+tb+" WHERE id = $1"), a)
							return err
						}, opts...)
					})
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			took := clock.Time() - start
			sum, err := db.QueryRow[int64](ctx, p, "SELECT SUM(n) FROM "+tb)
			if err != nil || sum != 2*tasks {
				t.Errorf("sum of counters %d, %v; want %d", sum, err, 2*tasks)
			}
			s := p.Stats()
			t.Logf("%d transactions (%d attempts) in %v (%.0f/s); %+v", tasks, attempts, took, tasks/took.Seconds(), s)
			if s.Open > 20 || s.Waiting != 0 || s.InUse != 0 || s.Acquires < tasks {
				t.Errorf("after the load: %+v", s)
			}
			if took > 30*time.Second {
				t.Errorf("took %v", took)
			}
			return nil
		})
	})
}
