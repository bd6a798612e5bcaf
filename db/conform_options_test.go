package db_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestOptionsChecked checks that Open refuses impossible options.
func TestOptionsChecked(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		for _, opts := range [][]db.Option{
			{db.MaxConns(0)},
			{db.MinConns(3), db.MaxConns(2)},
			{db.MinConns(-1)},
			{db.CancelGrace(0)},
		} {
			if p, err := db.Open(ctx, "sqlite::memory:", opts...); err == nil {
				t.Errorf("Open with %d options: no error", len(opts))
				p.Close(ctx)
			}
		}
		for _, url := range []string{"nodb", "oracle://x", "sqlite:"} {
			if p, err := db.Open(ctx, url); err == nil {
				t.Errorf("Open(%q): no error", url)
				p.Close(ctx)
			}
		}
		return nil
	})
}

// TestStatementCacheOff runs PostgreSQL statements with parameters
// without preparing them (StatementCache(0), for pgbouncer).
func TestStatementCacheOff(t *testing.T) {
	url := serverURL(t, "postgres")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, url, db.StatementCache(0), db.MaxConns(1))
		defer done()
		for i := range 3 {
			v, err := db.QueryRow[int64](ctx, p, "SELECT $1::bigint + $2", int64(i), int64(40))
			if err != nil || v != int64(i)+40 {
				t.Errorf("%d, %v", v, err)
			}
		}
		n, err := db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM pg_prepared_statements")
		if err != nil || n != 0 {
			t.Errorf("%d statements prepared, %v; want none", n, err)
		}
		// By default, they are prepared: the count above can see them.
		q, qdone := openPool(t, ctx, url, db.MaxConns(1))
		defer qdone()
		if _, err := db.QueryRow[int64](ctx, q, "SELECT $1::bigint", int64(1)); err != nil {
			t.Fatal(err)
		}
		n, err = db.QueryRow[int64](ctx, q, "SELECT COUNT(*) FROM pg_prepared_statements")
		if err != nil || n == 0 {
			t.Errorf("%d statements prepared by default, %v", n, err)
		}
		return nil
	})
}
