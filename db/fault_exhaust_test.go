package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestExhaustedWaitersCancelled holds both connections of a pool, queues
// ten waiters of each kind of call behind them, cancels the waiters and
// releases the connections: nothing leaks.
func TestExhaustedWaitersCancelled(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url, db.MaxConns(2))
			defer done()
			var held []*db.Conn
			for range 2 {
				c, err := p.Acquire(ctx)
				if err != nil {
					t.Fatal(err)
				}
				held = append(held, c)
			}
			calls := []func(ctx context.Context) error{
				func(ctx context.Context) error { _, err := p.Exec(ctx, "SELECT 1"); return err },
				func(ctx context.Context) error { _, err := db.QueryRow[int64](ctx, p, "SELECT 1"); return err },
				func(ctx context.Context) error { _, err := db.Query[int64](ctx, p, "SELECT 1"); return err },
				func(ctx context.Context) error {
					for _, err := range db.Rows[int64](ctx, p, "SELECT 1") {
						return err
					}
					return nil
				},
				func(ctx context.Context) error {
					return p.Tx(ctx, func(ctx context.Context, tx *db.Tx) error { return nil })
				},
				func(ctx context.Context) error {
					c, err := p.Acquire(ctx)
					if err == nil {
						c.Release()
					}
					return err
				},
			}
			var waiters []*asyncio.Task[struct{}]
			for i := range 10 {
				call := calls[i%len(calls)]
				waiters = append(waiters, asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
					return struct{}{}, call(ctx)
				}))
			}
			until(t, ctx, "ten waiters", func() bool { return p.Stats().Waiting == 10 })
			for _, w := range waiters {
				w.Cancel()
			}
			for i, w := range waiters {
				if _, err := w.Wait(ctx); !errors.Is(err, context.Canceled) {
					t.Errorf("waiter %d: %v", i, err)
				}
			}
			if s := p.Stats(); s.Waiting != 0 || s.InUse != 2 {
				t.Errorf("waiters gone, connections held: %+v", s)
			}
			for _, c := range held {
				c.Release()
			}
			s := wantIdle(t, settleStats(ctx, p))
			if s.Open > 2 || s.Waits < 10 {
				t.Errorf("after: %+v", s)
			}
			// The pool serves both connections again.
			if _, err := asyncio.Gather(ctx, func(ctx context.Context) (int64, error) {
				return db.QueryRow[int64](ctx, p, "SELECT 1")
			}, func(ctx context.Context) (int64, error) {
				return db.QueryRow[int64](ctx, p, "SELECT 2")
			}); err != nil {
				t.Error(err)
			}
			return nil
		})
	})
}
