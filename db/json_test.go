package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestJSON: a value stored with AsJSON comes back into JSON[T] the same,
// from PostgreSQL's jsonb, MariaDB's JSON and SQLite's text, inside a
// struct and as a scalar; NULL leaves it invalid.
func TestJSON(t *testing.T) {
	type doc struct {
		Name string   `json:"name"`
		Tags []string `json:"tags"`
		N    int      `json:"n"`
	}
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxIdleTime(time.Minute), db.MaxLifetime(time.Hour))
			defer done()
			table := "json_test_" + kindOf(url)
			p.Exec(ctx, "DROP TABLE IF EXISTS "+table)
			typ := map[string]string{"postgres": "JSONB", "mysql": "JSON", "sqlite": "TEXT"}[p.Kind()]
			if _, err := p.Exec(ctx, "CREATE TABLE "+table+" (id INTEGER PRIMARY KEY, body "+typ+")"); err != nil {
				return err
			}
			defer p.Exec(ctx, "DROP TABLE "+table)
			want := doc{Name: "ünïcode", Tags: []string{"a", "b"}, N: 42}
			if _, err := p.Exec(ctx, dialect(p, "INSERT INTO "+table+" (id, body) VALUES (1, $1)"), db.AsJSON(want)); err != nil {
				return err
			}
			if _, err := p.Exec(ctx, dialect(p, "INSERT INTO "+table+" (id, body) VALUES (2, $1)"), db.JSON[doc]{}); err != nil {
				return err
			}
			got, err := db.QueryRow[db.JSON[doc]](ctx, p, "SELECT body FROM "+table+" WHERE id = 1")
			if err != nil {
				return err
			}
			if !got.Valid || got.V.Name != want.Name || got.V.N != want.N || len(got.V.Tags) != 2 || got.V.Tags[1] != "b" {
				t.Errorf("scalar: %+v, want %+v", got, want)
			}
			type row struct {
				ID   int64
				Body db.JSON[doc]
			}
			rows, err := db.Query[row](ctx, p, "SELECT id, body FROM "+table+" ORDER BY id")
			if err != nil {
				return err
			}
			if len(rows) != 2 || !rows[0].Body.Valid || rows[0].Body.V.N != 42 || rows[1].Body.Valid {
				t.Errorf("rows: %+v", rows)
			}
			// Into a map, as for a document of unknown shape.
			m, err := db.QueryRow[db.JSON[map[string]any]](ctx, p, "SELECT body FROM "+table+" WHERE id = 1")
			if err != nil || m.V["name"] != want.Name {
				t.Errorf("map: %+v, %v", m, err)
			}
			return nil
		})
	})
}
