package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestOnConnect counts the runs of the hook: one per new connection,
// none for a connection reused; the hook's statements run on the new
// connection.
func TestOnConnect(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			var runs int64
			var mu = make(chan struct{}, 1) // the hook runs off the loop
			hook := func(ctx context.Context, c *db.Conn) error {
				mu <- struct{}{}
				runs++
				<-mu
				_, err := c.Exec(ctx, "CREATE TEMPORARY TABLE dbc_hook (id INTEGER)")
				return err
			}
			p, done := openPool(t, ctx, url, db.MaxConns(3), db.OnConnect(hook))
			defer done()
			// Three tasks hold a connection each at once, then ten
			// statements run one after another.
			hold := asyncio.NewBarrier(3)
			var fns []func(context.Context) (struct{}, error)
			for range 3 {
				fns = append(fns, func(ctx context.Context) (struct{}, error) {
					c, err := p.Acquire(ctx)
					if err != nil {
						return struct{}{}, err
					}
					defer c.Release()
					// The hook's table is there on every connection.
					if _, err := c.Exec(ctx, "INSERT INTO dbc_hook VALUES (1)"); err != nil {
						return struct{}{}, err
					}
					_, err = hold.Wait(ctx)
					return struct{}{}, err
				})
			}
			if _, err := asyncio.Gather(ctx, fns...); err != nil {
				t.Fatal(err)
			}
			settle(ctx, p, testWait)
			for range 10 {
				if _, err := p.Exec(ctx, "INSERT INTO dbc_hook VALUES (2)"); err != nil {
					t.Fatal(err)
				}
			}
			mu <- struct{}{}
			got := runs
			<-mu
			if s := p.Stats(); got != int64(s.Open) || got != 3 {
				t.Errorf("the hook ran %d times for %d connections, want 3", got, s.Open)
			}
			return nil
		})
	})
}

// TestOnConnectError checks that the hook's error fails the call that
// wanted the connection, and the pool stays usable for a later call.
func TestOnConnectError(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			refuse := errors.New("refused by the hook")
			fail := true
			hook := func(ctx context.Context, c *db.Conn) error {
				if fail {
					return refuse
				}
				return nil
			}
			p, err := db.Open(ctx, url, db.OnConnect(hook))
			if err != nil {
				// Opening may connect (pgx checks the server); then the
				// hook's error must be what failed it.
				if !errors.Is(err, refuse) {
					t.Fatalf("Open: %v", err)
				}
				return nil
			}
			defer p.Close(ctx)
			if _, err := p.Exec(ctx, "SELECT 1"); !errors.Is(err, refuse) {
				t.Errorf("first call: %v, want the hook's error", err)
			}
			if s := settle(ctx, p, testWait); s.Open != 0 || s.InUse != 0 {
				t.Errorf("after the hook failed: %+v; want its connection closed", s)
			}
			fail = false
			if _, err := p.Exec(ctx, "SELECT 1"); err != nil {
				t.Errorf("once the hook succeeds: %v", err)
			}
			// With MinConns, Open itself connects, and fails.
			fail = true
			if p2, err := db.Open(ctx, url, db.OnConnect(hook), db.MinConns(1)); !errors.Is(err, refuse) {
				t.Errorf("Open with MinConns: %v, want the hook's error", err)
				if p2 != nil {
					p2.Close(ctx)
				}
			}
			fail = false
			p3, err := db.Open(ctx, url, db.OnConnect(hook), db.MinConns(2))
			if err != nil {
				t.Fatal(err)
			}
			if s := p3.Stats(); s.Open != 2 {
				t.Errorf("after Open with MinConns(2): %+v", s)
			}
			return p3.Close(ctx)
		})
	})
}
