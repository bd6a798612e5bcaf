package db_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestRetryCounts checks Retry's logic on every database with a function
// that fails as a server would: it runs again on ErrSerialization and
// ErrDeadlock, up to the count, and not on other errors.
func TestRetryCounts(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			for _, c := range []struct {
				kind     error
				attempts int
			}{{db.ErrSerialization, 3}, {db.ErrDeadlock, 3}, {db.ErrUniqueViolation, 1}, {nil, 1}} {
				attempts := 0
				fail := &db.Error{SQL: "UPDATE", Kind: c.kind, Err: errors.New("made up")}
				err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					attempts++
					return fail
				}, db.Retry(2))
				if err != fail || attempts != c.attempts {
					t.Errorf("kind %v: %d attempts, %v; want %d, the last error", c.kind, attempts, err, c.attempts)
				}
			}
			// Success on the second attempt ends the retries.
			attempts := 0
			err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if attempts++; attempts == 1 {
					return &db.Error{Kind: db.ErrSerialization, Err: errors.New("made up")}
				}
				return nil
			}, db.Retry(5))
			if err != nil || attempts != 2 {
				t.Errorf("%d attempts, %v; want 2, nil", attempts, err)
			}
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}

// TestRetrySerialization makes PostgreSQL fail one of two serializable
// transactions that each read what the other writes, and checks that
// Retry runs it again to success.
func TestRetrySerialization(t *testing.T) {
	url := serverURL(t, "postgres")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, url, db.MaxConns(2))
		defer done()
		tb := table(t, ctx, p, "retry", "id INTEGER PRIMARY KEY, k INTEGER")
		// Both first attempts read before either writes: the rendezvous.
		read := asyncio.NewBarrier(2)
		attempts := make([]int, 2)
		var failures int
		run := func(k int) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				return struct{}{}, p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					attempts[k]++
					if _, err := db.QueryRow[int64](ctx, tx, "SELECT COUNT(*) FROM "+tb+" WHERE k = $1", 1-k); err != nil {
						return err
					}
					if attempts[k] == 1 {
						if _, err := read.Wait(ctx); err != nil {
							return err
						}
					}
					_, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES ($1, $2)", 10*attempts[k]+k, k)
					if err != nil && errors.Is(err, db.ErrSerialization) {
						failures++
					}
					return err
				}, db.Isolation(db.Serializable), db.Retry(3))
			}
		}
		_, err := asyncio.Gather(ctx, run(0), run(1))
		if err != nil {
			t.Fatalf("with Retry: %v", err)
		}
		if attempts[0]+attempts[1] < 3 {
			t.Errorf("attempts %v: no transaction was run again", attempts)
		}
		if n := count(t, ctx, p, tb); n != 2 {
			t.Errorf("%d rows, want one of each transaction", n)
		}
		t.Logf("attempts %v, serialization failures at INSERT %d", attempts, failures)
		return nil
	})
}

// TestRetryDeadlock makes MariaDB break a deadlock between two
// transactions that lock two rows in opposite orders, and checks that
// Retry runs the victim again to success.
func TestRetryDeadlock(t *testing.T) {
	url := serverURL(t, "mysql")
	asynciotest.Run(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, url, db.MaxConns(2))
		defer done()
		tb := table(t, ctx, p, "deadlock", "id INTEGER PRIMARY KEY, v INTEGER")
		exec(t, ctx, p, "INSERT INTO "+tb+" VALUES (0, 0), (1, 0)")
		locked := asyncio.NewBarrier(2)
		attempts := make([]int, 2)
		run := func(k int) func(context.Context) (struct{}, error) {
			return func(ctx context.Context) (struct{}, error) {
				return struct{}{}, p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
					attempts[k]++
					if _, err := tx.Exec(ctx, "UPDATE "+tb+" SET v = v + 1 WHERE id = ?", k); err != nil {
						return err
					}
					if attempts[k] == 1 {
						if _, err := locked.Wait(ctx); err != nil {
							return err
						}
					}
					_, err := tx.Exec(ctx, "UPDATE "+tb+" SET v = v + 1 WHERE id = ?", 1-k)
					return err
				}, db.Retry(3))
			}
		}
		if _, err := asyncio.Gather(ctx, run(0), run(1)); err != nil {
			t.Fatalf("with Retry: %v", err)
		}
		if attempts[0]+attempts[1] != 3 {
			t.Errorf("attempts %v: want one transaction run again", attempts)
		}
		if sum, err := db.QueryRow[int64](ctx, p, "SELECT SUM(v) FROM "+tb); err != nil || sum != 4 {
			t.Errorf("sum %d, %v: want 4 (two committed transactions of two updates)", sum, err)
		}
		return nil
	})
}

// TestRetryBusy makes SQLite refuse a transaction the write lock (another
// connection holds it longer than the busy timeout, here 10 ms): the
// failure is ErrDeadlock, and Retry runs the transaction again until the
// lock is free.
func TestRetryBusy(t *testing.T) {
	runReal(t, func(ctx context.Context) error {
		p, done := openPool(t, ctx, "sqlite::memory:?_pragma=busy_timeout(10)", db.MaxConns(2))
		defer done()
		tb := table(t, ctx, p, "busy", "id INTEGER PRIMARY KEY")
		holding, release := asyncio.NewEvent(), asyncio.NewEvent()
		holder := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (1)"); err != nil {
					return err
				}
				holding.Set()
				return release.Wait(ctx)
			})
		})
		if err := holding.Wait(ctx); err != nil {
			return err
		}
		// Without Retry: the kind.
		err := p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (2)")
			return err
		})
		if !errors.Is(err, db.ErrDeadlock) {
			t.Errorf("a transaction refused the lock: %v, want ErrDeadlock", err)
		}
		// With Retry: the holder keeps the lock 50 ms more, five times
		// the busy timeout; the transaction gets it by running again.
		clock := asyncio.RunningLoop(ctx)
		start := clock.Time()
		letGo := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			err := asyncio.Sleep(ctx, 50*time.Millisecond)
			release.Set()
			return struct{}{}, err
		})
		err = p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			_, err := tx.Exec(ctx, "INSERT INTO "+tb+" VALUES (3)")
			return err
		}, db.Retry(10))
		took := clock.Time() - start
		if err != nil || took < 50*time.Millisecond {
			t.Errorf("with Retry: %v after %v; want success once the lock was free", err, took)
		}
		t.Logf("with Retry: committed after %v", took)
		if _, err := letGo.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := holder.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if ids, err := db.Query[int64](ctx, p, "SELECT id FROM "+tb+" ORDER BY id"); err != nil || len(ids) != 2 || ids[0] != 1 || ids[1] != 3 {
			t.Errorf("rows %v, %v; want 1 and 3", ids, err)
		}
		return nil
	})
}
