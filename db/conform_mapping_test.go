package db_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// Base is embedded in mappedRow, to check that embedded fields are found.
type Base struct {
	ID int64
}

type mappedRow struct {
	Base
	Name    string `db:"full_name"`
	Age     int64
	Skipped string `db:"-"`
	Missing string // no column names it: left zero
}

// TestMapping checks how columns find struct fields: a db tag, else the
// field's name lower-cased; embedded structs; `db:"-"`; a column with no
// field is an error, a field with no column is left zero.
func TestMapping(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			q := "SELECT 5 AS id, 'ann' AS full_name, 41 AS AGE"
			got, err := db.QueryRow[mappedRow](ctx, p, q)
			if err != nil {
				t.Fatal(err)
			}
			if want := (mappedRow{Base: Base{5}, Name: "ann", Age: 41}); got != want {
				t.Errorf("got %+v, want %+v", got, want)
			}
			// A column only `db:"-"` would take has no field.
			if _, err := db.QueryRow[mappedRow](ctx, p, "SELECT 1 AS id, 'x' AS skipped"); !contains(err, `column "skipped" has no field`) {
				t.Errorf("db:\"-\" column: %v", err)
			}
			if _, err := db.QueryRow[mappedRow](ctx, p, "SELECT 1 AS id, 2 AS other"); !contains(err, `column "other" has no field`) {
				t.Errorf("unknown column: %v", err)
			}
			// A scalar takes exactly one column.
			if _, err := db.QueryRow[int64](ctx, p, "SELECT 1, 2"); err == nil {
				t.Errorf("two columns into int64: no error")
			}
			// The failed scans left the pool whole.
			wantIdle(t, p)
			return nil
		})
	})
}
