package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestClose checks that Close waits for a borrowed connection, that the
// pool refuses new calls from the moment Close is called, and that a
// Close whose ctx ends leaves the pool to a second one.
func TestClose(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, err := db.Open(ctx, url, db.MaxConns(2))
			if err != nil {
				t.Fatal(err)
			}
			c, err := p.Acquire(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// A Close whose ctx ends while the Conn is out fails, and
			// the Conn goes on.
			first := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, p.Close(ctx)
			})
			until(t, ctx, "Close waits", func() bool { return closing(t, ctx, first) })
			first.Cancel()
			if _, err := first.Wait(ctx); !errors.Is(err, context.Canceled) {
				t.Errorf("Close with its ctx cancelled: %v", err)
			}
			if _, err := c.Exec(ctx, "SELECT 1"); err != nil {
				t.Errorf("the Conn after a failed Close: %v", err)
			}
			// New calls fail once Close was called.
			checkClosed(t, ctx, p)
			// A second Close waits for the Release, made by another task
			// once the closer has started.
			started := asyncio.NewEvent()
			closer := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				started.Set()
				return struct{}{}, p.Close(ctx)
			})
			releaser := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				if err := started.Wait(ctx); err != nil {
					return struct{}{}, err
				}
				until(t, ctx, "Close waits", func() bool { return closing(t, ctx, closer) })
				if closer.Done() {
					t.Errorf("Close returned with a Conn out")
				}
				_, err := c.Exec(ctx, "SELECT 2")
				c.Release()
				return struct{}{}, err
			})
			if _, err := releaser.Wait(ctx); err != nil {
				t.Errorf("the Conn while Close waits: %v", err)
			}
			if _, err := closer.Wait(ctx); err != nil {
				t.Errorf("Close: %v", err)
			}
			checkClosed(t, ctx, p)
			if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
				t.Errorf("a released Conn after Close: no error")
			}
			return nil
		})
	})
}

// closing reports whether task waits in Close, for the pool's
// connections (the permits of the pool's gate).
func closing(t *testing.T, ctx context.Context, task asyncio.AnyTask) bool {
	snap, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range snap.Tasks {
		if ti.ID == task.ID() {
			return ti.State == "waiting" && ti.Wait == "Semaphore.Acquire"
		}
	}
	return false
}

// checkClosed checks that every call on p fails with ErrPoolClosed.
func checkClosed(t *testing.T, ctx context.Context, p *db.Pool) {
	t.Helper()
	if _, err := p.Exec(ctx, "SELECT 1"); !errors.Is(err, db.ErrPoolClosed) {
		t.Errorf("Exec: %v", err)
	}
	if _, err := db.Query[int64](ctx, p, "SELECT 1"); !errors.Is(err, db.ErrPoolClosed) {
		t.Errorf("Query: %v", err)
	}
	if _, err := db.QueryRow[int64](ctx, p, "SELECT 1"); !errors.Is(err, db.ErrPoolClosed) {
		t.Errorf("QueryRow: %v", err)
	}
	for _, err := range db.Rows[int64](ctx, p, "SELECT 1") {
		if !errors.Is(err, db.ErrPoolClosed) {
			t.Errorf("Rows: %v", err)
		}
	}
	if err := p.Tx(ctx, func(context.Context, *db.Tx) error { return nil }); !errors.Is(err, db.ErrPoolClosed) {
		t.Errorf("Tx: %v", err)
	}
	if _, err := p.Acquire(ctx); !errors.Is(err, db.ErrPoolClosed) {
		t.Errorf("Acquire: %v", err)
	}
}
