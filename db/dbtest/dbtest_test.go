package dbtest_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
	"github.com/asyncio-go/asyncio/db/dbtest"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestOpenIsolates: two pools of dbtest share nothing, and each has its
// schema.
func TestOpenIsolates(t *testing.T) {
	a := dbtest.Open(t, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
	b := dbtest.Open(t, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
	asynciotest.Run(t, func(ctx context.Context) error {
		if _, err := a.Exec(ctx, "INSERT INTO notes (text) VALUES (?)", "only in a"); err != nil {
			return err
		}
		na, err := db.QueryRow[int64](ctx, a, "SELECT count(*) FROM notes")
		if err != nil {
			return err
		}
		nb, err := db.QueryRow[int64](ctx, b, "SELECT count(*) FROM notes")
		if err != nil {
			return err
		}
		if na != 1 || nb != 0 {
			t.Errorf("rows: a %d, b %d; want 1 and 0", na, nb)
		}
		return nil
	})
}
