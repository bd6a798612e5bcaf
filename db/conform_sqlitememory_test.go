package db_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestSQLiteMemoryOutlivesConnections closes the only connection of a
// pool on an in-memory database, as the pool does to one a cancelled
// write left unfit (and to idle or old ones): the database, whose life
// is that of its connections, must still be there.
func TestSQLiteMemoryOutlivesConnections(t *testing.T) {
	runReal(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, "sqlite::memory:", db.MaxConns(1))
		defer done()
		exec(t, ctx, p, "CREATE TABLE keep (id INTEGER)", "INSERT INTO keep VALUES (1)")
		// A write interrupted in a transaction makes SQLite roll the
		// transaction back itself; the pool's ROLLBACK then fails and
		// the pool closes the connection.
		err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			return asyncio.Timeout(ctx, 50*time.Millisecond, func(ctx context.Context) error {
				_, err := tx.Exec(ctx, "INSERT INTO keep "+countRows(100_000_000))
				return err
			})
		})
		if err == nil {
			t.Fatal("the interrupted write succeeded")
		}
		if s := settle(ctx, p, testWait); s.Discards != 1 || s.Open != 0 {
			t.Fatalf("the pool kept its connection (%+v): the test shows nothing", s)
		}
		if n, err := db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM keep"); err != nil || n != 1 {
			t.Errorf("after the pool closed its last connection: %d rows, %v; want the database whole", n, err)
		}
		return nil
	})
}

// countRows is an SQLite query of n rows.
func countRows(n int) string {
	return "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < " + fmt.Sprint(n) + ") SELECT n FROM s"
}
