package db_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// placeholder is a PostgreSQL parameter, $1 to $n.
var placeholder = regexp.MustCompile(`\$[0-9]+`)

// dialect rewrites a statement written for PostgreSQL ($1..$n) into the
// "?" parameters of SQLite and MariaDB, so that each test is written once.
// The arguments must be used once each, in order.
func dialect(p *db.Pool, sql string) string {
	if p.Kind() == "postgres" {
		return sql
	}
	return placeholder.ReplaceAllString(sql, "?")
}

// pick returns the text for the pool's database.
func pick(p *db.Pool, sqlite, postgres, mysql string) string {
	switch p.Kind() {
	case "postgres":
		return postgres
	case "mysql":
		return mysql
	}
	return sqlite
}

// openPool opens url and closes the pool when the test's task body ends,
// via the returned function, which the body defers.
func openPool(t *testing.T, ctx context.Context, url string, opts ...db.Option) (*db.Pool, func()) {
	t.Helper()
	p, err := db.Open(ctx, url, opts...)
	if err != nil {
		t.Fatalf("open %s: %v", url, err)
	}
	return p, func() {
		if err := p.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	}
}

// exec runs statements, failing the test on the first error.
func exec(t *testing.T, ctx context.Context, p *db.Pool, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		if _, err := p.Exec(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

// table makes a fresh table named name (prefixed, to keep clear of other
// tests' tables in the shared databases) with the column list cols, and
// returns its name.
func table(t *testing.T, ctx context.Context, p *db.Pool, name, cols string) string {
	t.Helper()
	name = "dbc_" + name
	exec(t, ctx, p, "DROP TABLE IF EXISTS "+name, fmt.Sprintf("CREATE TABLE %s (%s)", name, cols))
	return name
}

// wantIdle fails t unless the pool is at rest: nothing in use or
// waiting, every open connection idle.
func wantIdle(t *testing.T, p *db.Pool) db.Stats {
	t.Helper()
	s := p.Stats()
	if s.InUse != 0 || s.Waiting != 0 || s.Idle != s.Open {
		t.Errorf("pool not at rest: %+v", s)
	}
	return s
}

// settle waits until the pool is at rest or d of real time has passed:
// a lease a cancelled task left ends on the executor after the task has
// returned. It polls Stats on the loop's own clock (real time in the
// tests that use it), without blocking the loop.
func settle(ctx context.Context, p *db.Pool, d time.Duration) db.Stats {
	deadline := time.Now().Add(d)
	for {
		s := p.Stats()
		if s.InUse == 0 && s.Waiting == 0 && s.Idle == s.Open || time.Now().After(deadline) {
			return s
		}
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return s
		}
	}
}

// contains reports whether s contains sub, for error messages.
func contains(err error, sub string) bool { return err != nil && strings.Contains(err.Error(), sub) }

// testWait bounds, in real time, a wait for something the pool does in
// the background.
const testWait = 5 * time.Second

// settleStats settles p and returns it, for wantIdle.
func settleStats(ctx context.Context, p *db.Pool) *db.Pool {
	settle(ctx, p, testWait)
	return p
}

// runReal runs body as the main task of a loop on the real clock, for
// tests that need a timeout to fire while the driver works (the virtual
// clock stands still while executor work is out). A body that has not
// ended after a minute fails the test instead of hanging it.
func runReal(t *testing.T, body func(ctx context.Context) error) {
	t.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		return struct{}{}, asyncio.Timeout(ctx, time.Minute, body)
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		t.Errorf("asyncio exception handler: %s: task %q: %v", c.Message, c.Task, c.Err)
	}))
	if err != nil {
		t.Fatalf("test body: %v", err)
	}
}

// until yields to the loop until cond holds, for a state another task
// reaches without a wait of its own (a task queued on the pool's gate).
// It fails t if cond has not held after 10,000 turns of the loop.
func until(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for range 10000 {
		if cond() {
			return
		}
		if err := asyncio.Sleep(ctx, 0); err != nil {
			t.Fatal(err)
		}
	}
	t.Fatalf("never: %s", what)
}

// busySQL returns a statement that keeps the database busy for about d:
// a sleep on a server, a count of rows SQLite makes, their number scaled
// from a short run (the race detector slows SQLite, pure Go, fiftyfold).
func busySQL(t *testing.T, ctx context.Context, p *db.Pool, d time.Duration) string {
	t.Helper()
	if p.Kind() != "sqlite" {
		return fmt.Sprintf(pick(p, "", "SELECT pg_sleep(%g)", "SELECT SLEEP(%g)"), d.Seconds())
	}
	const probe = 20000
	start := time.Now()
	if _, err := p.Exec(ctx, countTo(probe)); err != nil {
		t.Fatal(err)
	}
	per := max(time.Since(start), time.Microsecond)
	return countTo(int(probe * int64(d) / int64(per)))
}

// countTo is an SQLite statement that makes and counts n rows.
func countTo(n int) string {
	return fmt.Sprintf("WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < %d) SELECT COUNT(*) FROM s", n)
}
