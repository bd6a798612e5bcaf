package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// count returns the rows of table tb.
func count(t *testing.T, ctx context.Context, q db.Querier, tb string) int64 {
	t.Helper()
	n, err := db.QueryRow[int64](ctx, q, "SELECT COUNT(*) FROM "+tb)
	if err != nil {
		t.Fatalf("count %s: %v", tb, err)
	}
	return n
}

// TestTxEnds checks that Tx commits when fn returns nil and rolls back
// when it returns an error, panics or its task is cancelled.
func TestTxEnds(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(3))
			defer done()
			tb := table(t, ctx, p, "txends", "id INTEGER PRIMARY KEY")
			insert := func(ctx context.Context, tx *db.Tx, id int) error {
				_, err := tx.Exec(ctx, dialect(p, "INSERT INTO "+tb+" VALUES ($1)"), id)
				return err
			}
			// Commit.
			if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if err := insert(ctx, tx, 1); err != nil {
					return err
				}
				// The transaction sees its own write.
				if n := count(t, ctx, tx, tb); n != 1 {
					t.Errorf("inside the tx: %d rows", n)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if n := count(t, ctx, p, tb); n != 1 {
				t.Fatalf("after commit: %d rows, want 1", n)
			}
			// Rollback on an error, which Tx returns as it is.
			boom := errors.New("boom")
			if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if err := insert(ctx, tx, 2); err != nil {
					return err
				}
				return boom
			}); err != boom {
				t.Errorf("Tx returned %v, want fn's error", err)
			}
			if n := count(t, ctx, p, tb); n != 1 {
				t.Errorf("after an error: %d rows, want 1", n)
			}
			// Rollback on a panic, which goes on.
			func() {
				defer func() {
					if r := recover(); r != "oops" {
						t.Errorf("recovered %v, want the panic of fn", r)
					}
				}()
				p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					if err := insert(ctx, tx, 3); err != nil {
						return err
					}
					panic("oops")
				})
				t.Errorf("Tx returned after fn panicked")
			}()
			if n := count(t, ctx, p, tb); n != 1 {
				t.Errorf("after a panic: %d rows, want 1", n)
			}
			// Rollback when the task is cancelled inside fn.
			inserted := asyncio.NewEvent()
			task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					if err := insert(ctx, tx, 4); err != nil {
						return err
					}
					inserted.Set()
					return asyncio.NewEvent().Wait(ctx) // until cancelled
				})
			})
			if err := inserted.Wait(ctx); err != nil {
				return err
			}
			task.Cancel()
			if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("cancelled Tx: %v, want context.Canceled", err)
			}
			s := settle(ctx, p, testWait)
			if n := count(t, ctx, p, tb); n != 1 {
				t.Errorf("after a cancel: %d rows, want 1", n)
			}
			if s.InUse != 0 || s.Discards != 0 {
				t.Errorf("after a cancelled Tx: %+v", s)
			}
			// Tx after its end refuses.
			var kept *db.Tx
			p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { kept = tx; return nil })
			if _, err := kept.Exec(ctx, "SELECT 1"); err == nil {
				t.Errorf("Exec on an ended Tx: no error")
			}
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}

// TestTxOptions runs transactions at each isolation level, and a
// read-only one that tries to write.
func TestTxOptions(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			tb := table(t, ctx, p, "txopts", "id INTEGER PRIMARY KEY")
			for i, level := range []db.IsolationLevel{db.Serializable, db.RepeatableRead, db.ReadCommitted} {
				err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					if _, err := tx.Exec(ctx, dialect(p, "INSERT INTO "+tb+" VALUES ($1)"), i); err != nil {
						return err
					}
					// Only PostgreSQL tells a transaction's level: MariaDB's
					// @@tx_isolation is the session's, and INNODB_TRX is a
					// cache refreshed every 100 ms.
					if p.Kind() == "postgres" {
						got, err := db.QueryRow[string](ctx, tx, "SHOW transaction_isolation")
						if err != nil {
							return err
						}
						if want := map[db.IsolationLevel]string{
							db.Serializable: "serializable", db.RepeatableRead: "repeatable read", db.ReadCommitted: "read committed",
						}[level]; normalizeLevel(got) != want {
							t.Errorf("%v: the server says %q", level, got)
						}
					}
					return nil
				}, db.Isolation(level))
				if err != nil {
					t.Errorf("%v: %v", level, err)
				}
			}
			if n := count(t, ctx, p, tb); n != 3 {
				t.Errorf("%d rows, want 3", n)
			}
			err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if n := count(t, ctx, tx, tb); n != 3 {
					t.Errorf("read-only tx reads %d rows", n)
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (99)")
				return err
			}, db.ReadOnly())
			var dbe *db.Error
			if !errors.As(err, &dbe) {
				t.Errorf("a write in a read-only tx: %v, want a *db.Error", err)
			}
			if n := count(t, ctx, p, tb); n != 3 {
				t.Errorf("after the read-only tx: %d rows, want 3", n)
			}
			// The connection writes again after it.
			for range 2 {
				if _, err := p.Exec(ctx, "DELETE FROM "+tb+" WHERE id = 99"); err != nil {
					t.Errorf("a write after a read-only tx: %v", err)
				}
			}
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}

// normalizeLevel lower-cases a level's name and spells REPEATABLE-READ
// as repeatable read.
func normalizeLevel(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case c == '-':
			b[i] = ' '
		case 'A' <= c && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TestTxCommitFails breaks a deferred foreign key, which only COMMIT
// checks: Tx returns the violation, nothing is committed, and the
// connection is clean for the next transaction. MariaDB has no deferred
// constraints; an aborted PostgreSQL transaction whose fn still returns
// nil is checked too.
func TestTxCommitFails(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		if kindOf(url) == "mysql" {
			t.Skip("MariaDB has no deferred constraints")
		}
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(1))
			defer done()
			exec(t, ctx, p, "DROP TABLE IF EXISTS dbc_dchild")
			parent := table(t, ctx, p, "dparent", "id INTEGER PRIMARY KEY")
			child := table(t, ctx, p, "dchild", "id INTEGER PRIMARY KEY, parent INTEGER REFERENCES "+parent+" (id) DEFERRABLE INITIALLY DEFERRED")
			err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				_, err := tx.Exec(ctx, "INSERT INTO "+child+" VALUES (1, 42)")
				return err
			})
			if !errors.Is(err, db.ErrForeignKeyViolation) {
				t.Errorf("commit of a broken deferred key: %v", err)
			}
			if n := count(t, ctx, p, child); n != 0 {
				t.Errorf("%d rows committed", n)
			}
			if err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO "+parent+" VALUES (42)"); err != nil {
					return err
				}
				_, err := tx.Exec(ctx, "INSERT INTO "+child+" VALUES (1, 42)")
				return err
			}); err != nil {
				t.Errorf("the next transaction: %v", err)
			}
			if p.Kind() == "postgres" {
				// fn swallows a failed statement: the transaction is
				// aborted and COMMIT rolls it back, which Tx reports.
				err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					tx.Exec(ctx, "INSERT INTO "+parent+" VALUES (42)")
					return nil
				})
				if err == nil {
					t.Errorf("commit of an aborted transaction: no error")
				}
			}
			if n := count(t, ctx, p, child); n != 1 {
				t.Errorf("%d rows, want 1", n)
			}
			exec(t, ctx, p, "DROP TABLE "+child)
			if s := wantIdle(t, settleStats(ctx, p)); s.Discards != 0 {
				t.Errorf("%+v", s)
			}
			return nil
		})
	})
}
