package db_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestStatementCache: a statement that comes again while its rows are
// still open runs beside them (uncached), statements beyond the cache's
// size still run, and StatementCache(0) works too.
func TestStatementCache(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		for _, size := range []int{0, 2} {
			asynciotest.Run(t, func(ctx context.Context) error {
				p, err := db.Open(ctx, url, db.MaxConns(1), db.StatementCache(size))
				if err != nil {
					return err
				}
				defer p.Close(ctx)
				c, err := p.Acquire(ctx)
				if err != nil {
					return err
				}
				defer c.Release()
				q := dialect(p, "SELECT $1 + 0")
				// The same statement, nested: the outer one's rows are
				// open while the inner one runs on the same connection.
				n := 0
				for v, err := range db.Rows[int64](ctx, c, q, 1) {
					if err != nil {
						return err
					}
					inner, err := db.QueryRow[int64](ctx, c, q, 2)
					if err != nil {
						return err
					}
					if v != 1 || inner != 2 {
						t.Errorf("size %d: outer %d, inner %d", size, v, inner)
					}
					n++
				}
				if n != 1 {
					t.Errorf("size %d: %d outer rows", size, n)
				}
				// More distinct statements than the cache holds, twice.
				for range 2 {
					for i := range 5 {
						sql := dialect(p, "SELECT $1 + "+string(rune('0'+i)))
						v, err := db.QueryRow[int64](ctx, c, sql, 10)
						if err != nil {
							return err
						}
						if v != int64(10+i) {
							t.Errorf("size %d: %q gave %d", size, sql, v)
						}
					}
				}
				return nil
			})
		}
	})
}
