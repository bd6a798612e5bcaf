package db_test

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestCopyFrom: rows go in whole, with their types; a bad row fails the
// copy and leaves nothing behind; in a transaction, the copy commits
// with it.
func TestCopyFrom(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			table := "copy_test_" + kindOf(url)
			p.Exec(ctx, "DROP TABLE IF EXISTS "+table)
			ts := "TIMESTAMP"
			if p.Kind() == "postgres" {
				ts = "TIMESTAMPTZ"
			}
			if _, err := p.Exec(ctx, "CREATE TABLE "+table+" (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, at "+ts+")"); err != nil {
				return err
			}
			defer p.Exec(ctx, "DROP TABLE "+table)
			at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
			const n = 1234
			rows := func(yield func([]any) bool) {
				for i := range n {
					if !yield([]any{int64(i), fmt.Sprint("name ", i), float64(i) / 2, at}) {
						return
					}
				}
			}
			got, err := p.CopyFrom(ctx, table, []string{"id", "name", "score", "at"}, rows)
			if err != nil || got != n {
				t.Fatalf("CopyFrom: %d, %v; want %d", got, err, n)
			}
			type row struct {
				ID    int64
				Name  string
				Score float64
				At    time.Time
			}
			last, err := db.QueryRow[row](ctx, p, "SELECT id, name, score, at FROM "+table+" ORDER BY id DESC LIMIT 1")
			if err != nil {
				return err
			}
			if last.ID != n-1 || last.Name != fmt.Sprint("name ", n-1) || last.Score != float64(n-1)/2 || !last.At.Equal(at) {
				t.Errorf("last row: %+v", last)
			}
			// A duplicate key fails the copy, which leaves no row.
			dup := slices.Values([][]any{{int64(n + 1), "new", 1.0, at}, {int64(0), "dup", 1.0, at}})
			if _, err := p.CopyFrom(ctx, table, []string{"id", "name", "score", "at"}, iter.Seq[[]any](dup)); err == nil {
				t.Errorf("CopyFrom with a duplicate key succeeded")
			}
			count, err := db.QueryRow[int64](ctx, p, "SELECT count(*) FROM "+table)
			if err != nil || count != n {
				t.Errorf("after the failed copy: %d rows, %v; want %d", count, err, n)
			}
			// A row of the wrong width is refused.
			if _, err := p.CopyFrom(ctx, table, []string{"id", "name", "score", "at"}, slices.Values([][]any{{int64(n + 2)}})); err == nil || !strings.Contains(err.Error(), "columns") {
				t.Errorf("short row: %v", err)
			}
			// In a transaction that rolls back, the copy is undone too.
			err = p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if _, err := tx.CopyFrom(ctx, table, []string{"id", "name"}, slices.Values([][]any{{int64(n + 3), "tx"}})); err != nil {
					return err
				}
				return errRollback
			})
			if err != errRollback {
				t.Errorf("Tx: %v", err)
			}
			count, err = db.QueryRow[int64](ctx, p, "SELECT count(*) FROM "+table)
			if err != nil || count != n {
				t.Errorf("after the rolled back copy: %d rows, %v; want %d", count, err, n)
			}
			return nil
		})
	})
}

var errRollback = fmt.Errorf("roll back")

// TestPrepare: a statement prepared in OnConnect runs by name on every
// connection of a PostgreSQL pool; SQLite has no named statements.
func TestPrepare(t *testing.T) {
	url := serverURL(t, "postgres")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, err := db.Open(ctx, url, db.MaxConns(3), db.OnConnect(func(ctx context.Context, c *db.Conn) error {
			return c.Prepare(ctx, "double", "SELECT $1::int * 2")
		}))
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		for i := range 5 {
			v, err := db.QueryRow[int64](ctx, p, "double", i)
			if err != nil || v != int64(2*i) {
				t.Errorf("double(%d) = %d, %v", i, v, err)
			}
		}
		s, err := db.Open(ctx, "sqlite::memory:")
		if err != nil {
			return err
		}
		defer s.Close(ctx)
		c, err := s.Acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		if err := c.Prepare(ctx, "x", "SELECT 1"); !errors.Is(err, db.ErrNotSupported) {
			t.Errorf("Prepare on SQLite: %v", err)
		}
		return nil
	})
}
