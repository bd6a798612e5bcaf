// Package dbtest gives each test a database of its own: an in-memory
// SQLite pool, made in microseconds, that no other test sees and that is
// closed when the test ends. Code that takes a *db.Pool is then tested
// against a real SQL engine rather than a mock of one.
package dbtest

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio/db"
)

// Open returns a pool on a new in-memory SQLite database, after running
// the schema statements on it, and closes the pool when t ends. It may be
// called from the test's goroutine or from a task of the test.
func Open(t testing.TB, schema ...string) *db.Pool {
	t.Helper()
	ctx := context.Background()
	p, err := db.Open(ctx, "sqlite::memory:")
	if err != nil {
		t.Fatalf("dbtest: %v", err)
	}
	t.Cleanup(func() {
		if err := p.Close(ctx); err != nil {
			t.Errorf("dbtest: closing the pool: %v", err)
		}
	})
	for _, s := range schema {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("dbtest: schema: %v", err)
		}
	}
	return p
}
