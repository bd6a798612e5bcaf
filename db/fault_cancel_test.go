package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestCancelBeforeSend checks that a statement whose task is cancelled
// before it reaches the driver is not run: with ctx already cancelled,
// and while it waits for a connection of an exhausted pool.
func TestCancelBeforeSend(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(1))
			defer done()
			tb := table(t, ctx, p, "cancelsend", "id INTEGER PRIMARY KEY")
			insert := dialect(p, "INSERT INTO "+tb+" VALUES ($1)")
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			if _, err := p.Exec(cctx, insert, 1); !errors.Is(err, context.Canceled) {
				t.Errorf("Exec with a cancelled ctx: %v", err)
			}
			if _, err := db.Query[int64](cctx, p, "SELECT 1"); !errors.Is(err, context.Canceled) {
				t.Errorf("Query with a cancelled ctx: %v", err)
			}
			if err := p.Tx(cctx, func(ctx context.Context, tx *db.Tx) error {
				t.Errorf("Tx ran fn with a cancelled ctx")
				return nil
			}); !errors.Is(err, context.Canceled) {
				t.Errorf("Tx with a cancelled ctx: %v", err)
			}
			if c, err := p.Acquire(cctx); !errors.Is(err, context.Canceled) {
				t.Errorf("Acquire with a cancelled ctx: %v", err)
				if c != nil {
					c.Release()
				}
			}
			// Waiting for a connection.
			c, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			waiter := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
				return p.Exec(ctx, insert, 2)
			})
			until(t, ctx, "a task waits for a connection", func() bool { return p.Stats().Waiting == 1 })
			waiter.Cancel()
			if _, err := waiter.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("Exec cancelled while waiting: %v", err)
			}
			if s := p.Stats(); s.Waiting != 0 || s.InUse != 1 {
				t.Errorf("with the waiter gone: %+v", s)
			}
			c.Release()
			if n := count(t, ctx, p, tb); n != 0 {
				t.Errorf("%d rows: a cancelled statement ran", n)
			}
			if s := wantIdle(t, settleStats(ctx, p)); s.Cancels != 0 || s.Discards != 0 {
				t.Errorf("no statement reached a server, yet %+v", s)
			}
			return nil
		})
	})
}

// longQuery is a statement that runs for about 30 s, or as long as the
// database has rows to make, with marker in its text.
func longQuery(p *db.Pool, marker string) string {
	return pick(p,
		"WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s) SELECT COUNT(*) FROM s /* "+marker+" */",
		"SELECT pg_sleep(30) /* "+marker+" */",
		"SELECT SLEEP(30) /* "+marker+" */")
}

// serverRuns reports how many statements with marker in their text the
// server runs now, other than this one; SQLite, which has no server, runs
// none.
func serverRuns(ctx context.Context, p *db.Pool, marker string) (int64, error) {
	// The marker is split so that the probe does not match itself.
	half := len(marker) / 2
	switch p.Kind() {
	case "postgres":
		return db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%' || $1 || $2 || '%'", marker[:half], marker[half:])
	case "mysql":
		return db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID <> CONNECTION_ID() AND COMMAND = 'Query' AND INFO LIKE CONCAT('%', ?, ?, '%')", marker[:half], marker[half:])
	}
	return 0, nil
}

// TestCancelInFlight cancels a long statement while the server runs it:
// the task returns at once, the server stops the statement, the pool
// counts the cancel and reuses the connection.
func TestCancelInFlight(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		runReal(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			// Open both connections, so that Open must stay the same.
			hold := asyncio.NewBarrier(2)
			if _, err := asyncio.Gather(ctx, func(ctx context.Context) (int64, error) {
				return db.QueryRow[int64](ctx, p, "SELECT 1")
			}, func(ctx context.Context) (int64, error) {
				c, err := p.Acquire(ctx)
				if err != nil {
					return 0, err
				}
				defer c.Release()
				_, err = hold.Wait(ctx)
				return 0, err
			}, func(ctx context.Context) (int64, error) {
				c, err := p.Acquire(ctx)
				if err != nil {
					return 0, err
				}
				defer c.Release()
				_, err = hold.Wait(ctx)
				return 0, err
			}); err != nil {
				t.Fatal(err)
			}
			before := settle(ctx, p, testWait)
			if before.Open != 2 {
				t.Fatalf("warm pool: %+v", before)
			}
			marker := "dbc-inflight-" + p.Kind()
			for _, how := range []string{"Exec", "QueryRow", "Tx"} {
				clock := asyncio.RunningLoop(ctx)
				start := clock.Time()
				expire := func(ctx context.Context, fn func(ctx context.Context) error) error {
					return asyncio.Timeout(ctx, 300*time.Millisecond, fn)
				}
				var err error
				switch how {
				case "Exec":
					err = expire(ctx, func(ctx context.Context) error {
						_, err := p.Exec(ctx, longQuery(p, marker))
						return err
					})
				case "QueryRow":
					err = expire(ctx, func(ctx context.Context) error {
						_, err := db.QueryRow[int64](ctx, p, longQuery(p, marker))
						return err
					})
				case "Tx":
					// The timeout starts after BEGIN, so that it ends
					// the statement, not the BEGIN (on a loaded machine).
					err = p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
						start = clock.Time()
						return expire(ctx, func(ctx context.Context) error {
							_, err := tx.Exec(ctx, longQuery(p, marker))
							return err
						})
					})
				}
				took := clock.Time() - start
				if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, asyncio.ErrTimeout) {
					t.Errorf("%s: %v, want a timeout", how, err)
				}
				if took > time.Second {
					t.Errorf("%s: returned after %v", how, took)
				}
				s := settle(ctx, p, testWait)
				if n, err := serverRuns(ctx, p, marker); err != nil || n != 0 {
					t.Errorf("%s: the server still runs %d such statements (%v)", how, n, err)
				}
				t.Logf("%s: returned after %v; %+v", how, took, s)
			}
			// On a server, a task cancelled once the server is seen
			// running its statement: this also shows that serverRuns
			// finds a statement that runs.
			cancels := int64(3)
			if p.Kind() != "sqlite" {
				task := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
					return p.Exec(ctx, longQuery(p, marker))
				})
				until(t, ctx, "the server runs the statement", func() bool {
					n, err := serverRuns(ctx, p, marker)
					return err == nil && n == 1
				})
				start := asyncio.RunningLoop(ctx).Time()
				task.Cancel()
				if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("cancelled task: %v", err)
				}
				if took := asyncio.RunningLoop(ctx).Time() - start; took > 500*time.Millisecond {
					t.Errorf("the cancelled task returned after %v", took)
				}
				settle(ctx, p, testWait)
				if n, err := serverRuns(ctx, p, marker); err != nil || n != 0 {
					t.Errorf("after Cancel: the server still runs %d such statements (%v)", n, err)
				}
				cancels++
			}
			s := settle(ctx, p, testWait)
			if s.Cancels != cancels || s.Discards != 0 || s.Open != before.Open || s.InUse != 0 || s.Idle != s.Open {
				t.Errorf("after %d cancels: %+v; before %+v", cancels, s, before)
			}
			// Both connections answer.
			for range 4 {
				if v, err := db.QueryRow[int64](ctx, p, "SELECT 7"); err != nil || v != 7 {
					t.Errorf("after the cancels: %d, %v", v, err)
				}
			}
			return nil
		})
	})
}
