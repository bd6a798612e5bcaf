package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// bigResult is a query of n rows the database makes as it streams them.
func bigResult(p *db.Pool, n string) string {
	return pick(p,
		"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < "+n+") SELECT n FROM s",
		// In the select list, generate_series streams; in FROM it
		// would make all its rows first.
		"SELECT generate_series(1, "+n+") AS n",
		"SELECT seq AS n FROM seq_1_to_"+n)
}

// TestStreamStop leaves a big result before its end, by breaking out of
// the loop and by cancelling the task between rows: the call returns
// without reading the rest, and the connection is reused.
func TestStreamStop(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		runReal(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(1))
			defer done()
			// Ten million rows would take tens of seconds to read or
			// skip: stopping early must not read them.
			q := bigResult(p, "10000000")
			clock := asyncio.RunningLoop(ctx)
			start := clock.Time()
			var got int64
			for v, err := range db.Rows[int64](ctx, p, q) {
				if err != nil {
					t.Fatal(err)
				}
				if got++; v != got {
					t.Fatalf("row %d is %d", got, v)
				}
				if got == 1000 {
					break
				}
			}
			// The next statement waits for the one connection, which
			// the stream gives back once the query has stopped.
			if v, err := db.QueryRow[int64](ctx, p, "SELECT 5"); err != nil || v != 5 {
				t.Errorf("after a break: %d, %v", v, err)
			}
			t.Logf("break after 1000 rows, and a statement: %v", clock.Time()-start)
			// Cancel mid-stream.
			midway := asyncio.NewEvent()
			start = clock.Time()
			task := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
				var n int64
				for _, err := range db.Rows[int64](ctx, p, q) {
					if err != nil {
						return n, err
					}
					if n++; n == 1000 {
						midway.Set()
					}
				}
				return n, nil
			})
			if err := midway.Wait(ctx); err != nil {
				return err
			}
			task.Cancel()
			n, err := task.Wait(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled stream: %d rows, %v", n, err)
			}
			if v, err := db.QueryRow[int64](ctx, p, "SELECT 6"); err != nil || v != 6 {
				t.Errorf("after a cancel: %d, %v", v, err)
			}
			took := clock.Time() - start
			t.Logf("cancel after %d rows, and a statement: %v", n, took)
			s := settle(ctx, p, testWait)
			if s.Open != 1 || s.Discards != 0 || s.InUse != 0 {
				t.Errorf("after stopping two streams: %+v", s)
			}
			return nil
		})
	})
}
