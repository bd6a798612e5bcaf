package db_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestBackendsTerminated has PostgreSQL end every connection of a pool
// (pg_terminate_backend, as an administrator or a failover would): the
// next calls succeed after at most one error.
func TestBackendsTerminated(t *testing.T) {
	direct := serverURL(t, "postgres")
	runReal(t, func(ctx context.Context) error {
		const app = "dbc_terminated"
		const maxConns = 3
		p, done := openPool(t, ctx, direct+"&application_name="+app, db.MaxConns(maxConns))
		defer done()
		probe, pdone := openPool(t, ctx, direct, db.MaxConns(1))
		defer pdone()
		var fns []func(context.Context) (int64, error)
		for range maxConns {
			fns = append(fns, func(ctx context.Context) (int64, error) {
				return db.QueryRow[int64](ctx, p, "SELECT 1 FROM pg_sleep(0.05)")
			})
		}
		if _, err := asyncio.Gather(ctx, fns...); err != nil {
			t.Fatal(err)
		}
		if s := p.Stats(); s.Open != maxConns {
			t.Fatalf("warm pool: %+v", s)
		}
		killed, err := db.Query[bool](ctx, probe, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = $1", app)
		if err != nil || len(killed) != maxConns {
			t.Fatalf("terminated %v, %v; want %d", killed, err, maxConns)
		}
		var failed []error
		for range 10 {
			if _, err := db.QueryRow[int64](ctx, p, "SELECT 1"); err != nil {
				failed = append(failed, err)
			}
		}
		s := p.Stats()
		t.Logf("after terminating %d backends: %d of 10 calls failed %v; %+v", len(killed), len(failed), failed, s)
		if len(failed) > 1 {
			t.Errorf("%d calls failed after the backends were terminated, want at most 1", len(failed))
		}
		if s.Open > maxConns || s.InUse != 0 {
			t.Errorf("%+v", s)
		}
		return nil
	})
}
