package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

func TestSmoke(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(4))
			defer done()
			if _, err := p.Exec(ctx, "DROP TABLE IF EXISTS smoke"); err != nil {
				return err
			}
			if _, err := p.Exec(ctx, "CREATE TABLE smoke (id INTEGER PRIMARY KEY, name TEXT NOT NULL)"); err != nil {
				return err
			}
			ph := "?"
			if p.Kind() == "postgres" {
				ph = "$1"
			}
			n, err := p.Exec(ctx, "INSERT INTO smoke (id, name) VALUES (1, "+ph+")", "ann")
			if err != nil || n != 1 {
				t.Fatalf("insert: %d, %v", n, err)
			}
			type row struct {
				ID   int64
				Name string
			}
			rows, err := db.Query[row](ctx, p, "SELECT id, name FROM smoke")
			if err != nil || len(rows) != 1 || rows[0] != (row{1, "ann"}) {
				t.Fatalf("query: %v, %v", rows, err)
			}
			name, err := db.QueryRow[string](ctx, p, "SELECT name FROM smoke WHERE id = 1")
			if err != nil || name != "ann" {
				t.Fatalf("queryrow: %q, %v", name, err)
			}
			_, err = db.QueryRow[string](ctx, p, "SELECT name FROM smoke WHERE id = 2")
			if err != db.ErrNoRows {
				t.Fatalf("no rows: %v", err)
			}
			_, err = p.Exec(ctx, "DROP TABLE smoke")
			return err
		})
	})
}

// TestScalarQueryReportsServerError: a failing statement whose result
// is scanned into a scalar reports the server's error, not a column
// count mismatch.
func TestScalarQueryReportsServerError(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			_, err := db.QueryRow[int64](ctx, p, "SELECT nosuchcolumn FROM nosuchtable")
			var dbErr *db.Error
			if !errors.As(err, &dbErr) {
				t.Errorf("QueryRow: %v (%T), want a *db.Error", err, err)
			}
			_, err = db.Query[int64](ctx, p, "SELECT nosuchcolumn FROM nosuchtable")
			if !errors.As(err, &dbErr) {
				t.Errorf("Query: %v (%T), want a *db.Error", err, err)
			}
			for _, err := range db.Rows[int64](ctx, p, "SELECT nosuchcolumn FROM nosuchtable") {
				if !errors.As(err, &dbErr) {
					t.Errorf("Rows: %v (%T), want a *db.Error", err, err)
				}
			}
			return nil
		})
	})
}

// TestMinConnsOpenBeforeOpenReturns: Open opens MinConns connections
// before it returns, on every database.
func TestMinConnsOpenBeforeOpenReturns(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MinConns(3), db.MaxConns(5))
			defer done()
			// pgx may be opening more in the background meanwhile.
			if st := p.Stats(); st.Open < 3 || st.Idle < 3 || st.Open > 5 {
				t.Errorf("after Open: %d open, %d idle; want 3 to 5 open, at least 3 idle", st.Open, st.Idle)
			}
			return nil
		})
	})
}
