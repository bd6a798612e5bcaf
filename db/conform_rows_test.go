package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestQueryRowNoRows checks ErrNoRows, and that QueryRow takes the first
// of several rows.
func TestQueryRowNoRows(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			tb := table(t, ctx, p, "norows", "id INTEGER PRIMARY KEY")
			if _, err := db.QueryRow[int64](ctx, p, "SELECT id FROM "+tb); !errors.Is(err, db.ErrNoRows) {
				t.Errorf("empty table: %v, want ErrNoRows", err)
			}
			exec(t, ctx, p, "INSERT INTO "+tb+" VALUES (3)", "INSERT INTO "+tb+" VALUES (4)")
			if v, err := db.QueryRow[int64](ctx, p, "SELECT id FROM "+tb+" ORDER BY id DESC"); err != nil || v != 4 {
				t.Errorf("first of two: %d, %v", v, err)
			}
			if all, err := db.Query[int64](ctx, p, "SELECT id FROM "+tb+" WHERE id > 10"); err != nil || len(all) != 0 {
				t.Errorf("Query of no rows: %v, %v", all, err)
			}
			return nil
		})
	})
}

// TestRows iterates a result larger than one batch to its end, then
// breaks out of one early: either way the pool's connection comes back.
func TestRows(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			tb := table(t, ctx, p, "rows", "id INTEGER PRIMARY KEY")
			const n = 1000
			if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				for i := range n {
					if _, err := tx.Exec(ctx, dialect(p, "INSERT INTO "+tb+" VALUES ($1)"), i); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			var sum, count int64
			for v, err := range db.Rows[int64](ctx, p, "SELECT id FROM "+tb+" ORDER BY id") {
				if err != nil {
					t.Fatal(err)
				}
				if v != count {
					t.Fatalf("row %d is %d", count, v)
				}
				sum += v
				count++
			}
			if count != n || sum != n*(n-1)/2 {
				t.Errorf("%d rows summing to %d", count, sum)
			}
			s := settle(ctx, p, testWait)
			if s.InUse != 0 || s.Idle != s.Open {
				t.Errorf("after all rows: %+v", s)
			}
			count = 0
			for _, err := range db.Rows[int64](ctx, p, "SELECT id FROM "+tb+" ORDER BY id") {
				if err != nil {
					t.Fatal(err)
				}
				if count++; count == 300 {
					break
				}
			}
			s = settle(ctx, p, testWait)
			if s.InUse != 0 || s.Idle != s.Open || s.Discards != 0 {
				t.Errorf("after a break: %+v", s)
			}
			// The connection is healthy: the pool's both serve.
			for range 3 {
				if v, err := db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM "+tb); err != nil || v != n {
					t.Fatalf("after a break: %d, %v", v, err)
				}
			}
			// An error mid-query is yielded last.
			var last error
			for _, err := range db.Rows[int64](ctx, p, "SELECT nosuchcolumn FROM "+tb) {
				last = err
			}
			if last == nil {
				t.Errorf("bad query: no error yielded")
			}
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}

// TestRowsBreakInTx breaks out of Rows inside a transaction and on a
// Conn: the transaction, or session, goes on as if the query had been
// read to its end.
func TestRowsBreakInTx(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			tb := table(t, ctx, p, "rowstx", "id INTEGER PRIMARY KEY")
			q := bigResult(p, "100000")
			err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (1)"); err != nil {
					return err
				}
				n := 0
				for _, err := range db.Rows[int64](ctx, tx, q) {
					if err != nil {
						return err
					}
					if n++; n == 10 {
						break
					}
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (2)")
				return err
			})
			if err != nil {
				t.Errorf("Tx after a break out of Rows: %v", err)
			}
			if n := count(t, ctx, p, tb); n != 2 {
				t.Errorf("%d rows committed, want 2", n)
			}
			c, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Release()
			for range 2 {
				n := 0
				for _, err := range db.Rows[int64](ctx, c, q) {
					if err != nil {
						t.Fatal(err)
					}
					if n++; n == 10 {
						break
					}
				}
			}
			if v, err := db.QueryRow[int64](ctx, c, "SELECT 3"); err != nil || v != 3 {
				t.Errorf("the Conn after two breaks: %d, %v", v, err)
			}
			return nil
		})
	})
}
