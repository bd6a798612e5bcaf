package db_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestSQLiteFile uses an SQLite file, the package's default database,
// with writers and readers at once: transactions queue for the write
// lock, readers go on (WAL), and a second pool on the same file sees the
// committed rows.
func TestSQLiteFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "app.db")
	runReal(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, "sqlite:"+path, db.MaxConns(4))
		defer done()
		exec(t, ctx, p, "CREATE TABLE c (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)", "INSERT INTO c VALUES (1, 0)")
		if mode, err := db.QueryRow[string](ctx, p, "PRAGMA journal_mode"); err != nil || mode != "wal" {
			t.Errorf("journal mode %q, %v; want wal", mode, err)
		}
		const writers, each = 8, 20
		var fns []func(context.Context) (int64, error)
		for range writers {
			fns = append(fns, func(ctx context.Context) (int64, error) {
				for range each {
					if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
						n, err := db.QueryRow[int64](ctx, tx, "SELECT n FROM c WHERE id = 1")
						if err != nil {
							return err
						}
						_, err = tx.Exec(ctx, "UPDATE c SET n = ? WHERE id = 1", n+1)
						return err
					}); err != nil {
						return 0, err
					}
				}
				return 0, nil
			}, func(ctx context.Context) (int64, error) {
				for range each {
					if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
						_, err := db.QueryRow[int64](ctx, tx, "SELECT n FROM c WHERE id = 1")
						return err
					}, db.ReadOnly()); err != nil {
						return 0, err
					}
				}
				return 0, nil
			})
		}
		if _, err := asyncio.Gather(ctx, fns...); err != nil {
			t.Fatal(err)
		}
		other, odone := openPool(t, ctx, "sqlite:"+path)
		defer odone()
		if n, err := db.QueryRow[int64](ctx, other, "SELECT n FROM c"); err != nil || n != writers*each {
			t.Errorf("counter %d, %v; want %d (lost updates?)", n, err, writers*each)
		}
		return nil
	})
}
