package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestCancelGraceExpires cancels a statement whose cancel cannot reach
// the server (the proxy in front of it refuses new connections, which
// PostgreSQL's cancel request and MariaDB's KILL QUERY need): the task
// returns at once, and after the pool's cancel grace the connection is
// closed and counted as discarded, and the pool goes on.
func TestCancelGraceExpires(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			direct := serverURL(t, kind)
			x := newProxy(t, mustHost(t, direct))
			runReal(t, func(ctx context.Context) error {
				const grace = time.Second
				p, done := openPool(t, ctx, x.via(t, direct), db.MaxConns(1), db.CancelGrace(grace))
				defer done()
				if _, err := p.Exec(ctx, "SELECT 1"); err != nil {
					t.Fatal(err)
				}
				// The killer connection MariaDB's pool opens on its first
				// cancel would also go through the proxy.
				x.Refuse(true)
				clock := asyncio.RunningLoop(ctx)
				start := clock.Time()
				err := asyncio.Timeout(ctx, 100*time.Millisecond, func(ctx context.Context) error {
					_, err := p.Exec(ctx, pick(p, "", "SELECT pg_sleep(3)", "SELECT SLEEP(3)"))
					return err
				})
				if !errors.Is(err, asyncio.ErrTimeout) {
					t.Errorf("cancelled statement: %v", err)
				}
				if took := clock.Time() - start; took > 100*time.Millisecond+grace/2 {
					// It would be past the grace had it waited for it.
					t.Errorf("the cancelled task returned after %v", took)
				}
				// The lease ends once the driver's call has returned:
				// for PostgreSQL, once pgx closed the connection at the
				// end of the grace. (pgx goes on closing it until the
				// server hangs up, after the statement's 3 s: the pool
				// does not wait for that.)
				for deadline := time.Now().Add(testWait); p.Stats().InUse != 0 && time.Now().Before(deadline); {
					if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
						return err
					}
				}
				s := p.Stats()
				took := clock.Time() - start
				t.Logf("%v after the cancel: %+v", took, s)
				if took > grace+time.Second || took < grace {
					t.Errorf("the connection came back after %v, want after the grace of %v", took, grace)
				}
				if s.Discards != 1 || s.InUse != 0 || s.Cancels != 1 || s.Open != 0 {
					t.Errorf("after the grace: %+v; want the connection discarded", s)
				}
				// The pool's one connection is a new one, at once.
				x.Refuse(false)
				start = clock.Time()
				if v, err := db.QueryRow[int64](ctx, p, "SELECT 4"); err != nil || v != 4 {
					t.Errorf("after: %d, %v", v, err)
				}
				if took := clock.Time() - start; took > 500*time.Millisecond {
					t.Errorf("the next statement took %v", took)
				}
				if s := p.Stats(); s.Open != 1 {
					t.Errorf("after: %+v", s)
				}
				return nil
			})
		})
	}
}
