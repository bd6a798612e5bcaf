package db_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

func TestSmoke(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, err := db.Open(ctx, url, db.MaxConns(4))
			if err != nil {
				return err
			}
			defer p.Close(ctx)
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
