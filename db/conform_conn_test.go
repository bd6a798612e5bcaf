package db_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestConn checks that a Conn is one session: a temporary table made on
// it is visible on it, in its transactions, and nowhere else.
func TestConn(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			c, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if s := p.Stats(); s.InUse != 1 || s.Open < 1 {
				t.Errorf("with a Conn: %+v", s)
			}
			if _, err := c.Exec(ctx, "CREATE TEMPORARY TABLE dbc_temp (id INTEGER)"); err != nil {
				t.Fatal(err)
			}
			if n, err := c.Exec(ctx, "INSERT INTO dbc_temp VALUES (1)"); err != nil || n != 1 {
				t.Fatalf("insert on the Conn: %d, %v", n, err)
			}
			if err := c.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO dbc_temp VALUES (2)")
				return err
			}); err != nil {
				t.Fatalf("Conn.Tx: %v", err)
			}
			boom := errors.New("boom")
			if err := c.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				tx.Exec(ctx, "INSERT INTO dbc_temp VALUES (3)")
				return boom
			}); err != boom {
				t.Fatalf("Conn.Tx rolled back: %v", err)
			}
			if n := count(t, ctx, c, "dbc_temp"); n != 2 {
				t.Errorf("on the Conn: %d rows, want 2", n)
			}
			// The pool's other connection does not see the table.
			if _, err := db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM dbc_temp"); err == nil {
				t.Errorf("another connection sees the Conn's temporary table")
			}
			// Raw reaches the driver's connection.
			var raw any
			if err := c.Raw(ctx, func(dc any) error { raw = dc; return nil }); err != nil {
				t.Errorf("Raw: %v", err)
			}
			if got, want := fmt.Sprintf("%T", raw), pick(p, "*sql.Conn", "*pgx.Conn", "*sql.Conn"); got != want {
				t.Errorf("Raw gave a %s, want a %s", got, want)
			}
			c.Release()
			c.Release() // again: nothing
			if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
				t.Errorf("Exec after Release: no error")
			}
			if s := settle(ctx, p, testWait); s.InUse != 0 || s.Idle != s.Open {
				t.Errorf("after Release: %+v", s)
			}
			return nil
		})
	})
}

// TestConnReleaseResetsPostgresSession: on PostgreSQL the next borrower
// of a released connection finds no advisory lock, cursor or LISTEN of
// the last, but its settings (what OnConnect sets up must stay); the
// pool has one connection, so it is the same one.
func TestConnReleaseResetsPostgresSession(t *testing.T) {
	url := serverURL(t, "postgres")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, err := db.Open(ctx, url, db.MaxConns(1))
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		c, err := p.Acquire(ctx)
		if err != nil {
			return err
		}
		pid, _ := db.QueryRow[int64](ctx, c, "SELECT pg_backend_pid()")
		for _, q := range []string{
			"SET application_name = 'left over'",
			"SELECT pg_advisory_lock(4242)",
			"LISTEN reset_channel",
			"BEGIN",
			"DECLARE reset_cursor CURSOR WITH HOLD FOR SELECT 1",
			"COMMIT",
		} {
			if _, err := c.Exec(ctx, q); err != nil {
				return err
			}
		}
		c.Release()
		c, err = p.Acquire(ctx)
		if err != nil {
			return err
		}
		defer c.Release()
		if again, _ := db.QueryRow[int64](ctx, c, "SELECT pg_backend_pid()"); again != pid {
			t.Fatalf("the second Acquire got another connection (%d, then %d)", pid, again)
		}
		if name, _ := db.QueryRow[string](ctx, c, "SELECT current_setting('application_name')"); name != "left over" {
			t.Errorf("the SET did not outlive Release: %q", name)
		}
		if n, _ := db.QueryRow[int64](ctx, c, "SELECT count(*) FROM pg_listening_channels()"); n != 0 {
			t.Errorf("%d LISTENs outlived Release", n)
		}
		if n, _ := db.QueryRow[int64](ctx, c, "SELECT count(*) FROM pg_cursors WHERE name = 'reset_cursor'"); n != 0 {
			t.Errorf("%d cursors outlived Release", n)
		}
		if locks, _ := db.QueryRow[int64](ctx, c, "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()"); locks != 0 {
			t.Errorf("%d advisory locks outlived Release", locks)
		}
		return nil
	})
}
