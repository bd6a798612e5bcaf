package db_test

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
	"github.com/asyncio-go/asyncio/internal/faultproxy"
)

// newProxy starts a proxy to target for the test: the server going
// away, as the pool sees it, is its Cut and Refuse.
func newProxy(t *testing.T, target string) *proxy {
	fp, err := faultproxy.Start(target)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fp.Close() })
	return &proxy{fp}
}

type proxy struct{ *faultproxy.Proxy }

// cut closes every connection and refuses new ones until restore.
func (x *proxy) cut() {
	x.Refuse(true)
	x.Cut()
}

func (x *proxy) restore() { x.Refuse(false) }

// via returns the URL u with its host replaced by the proxy's.
func (x *proxy) via(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = x.Addr()
	return u.String()
}

// TestServerGoesAway cuts the pool's connections to its server, with a
// statement in flight, and refuses new ones for a while: every call
// fails with an error, none hangs; once the server is back the pool
// recovers without opening more than MaxConns.
func TestServerGoesAway(t *testing.T) {
	for _, kind := range []string{"postgres", "mysql"} {
		t.Run(kind, func(t *testing.T) {
			direct := serverURL(t, kind)
			x := newProxy(t, mustHost(t, direct))
			runReal(t, func(ctx context.Context) error {
				const maxConns = 4
				p, done := openPool(t, ctx, x.via(t, direct), db.MaxConns(maxConns), db.CancelGrace(time.Second))
				defer done()
				probe, pdone := openPool(t, ctx, direct, db.MaxConns(1))
				defer pdone()
				clock := asyncio.RunningLoop(ctx)
				// Every connection open and used.
				query := func(ctx context.Context) (int64, error) {
					return db.QueryRow[int64](ctx, p, "SELECT 1")
				}
				var fns []func(context.Context) (int64, error)
				for range maxConns {
					fns = append(fns, func(ctx context.Context) (int64, error) {
						return db.QueryRow[int64](ctx, p, pick(p, "", "SELECT 1 FROM pg_sleep(0.05)", "SELECT 1 FROM (SELECT SLEEP(0.05)) AS s"))
					})
				}
				if _, err := asyncio.Gather(ctx, fns...); err != nil {
					t.Fatal(err)
				}
				// A statement in flight when the server goes.
				marker := "dbc-outage-" + kind
				inFlight := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
					return p.Exec(ctx, pick(p, "", "SELECT pg_sleep(5) /* ", "SELECT SLEEP(5) /* ")+marker+" */")
				})
				until(t, ctx, "the statement runs", func() bool {
					n, err := serverRuns(ctx, probe, marker)
					return err == nil && n == 1
				})
				cutAt := clock.Time()
				x.cut()
				bounded := func(ctx context.Context, fn func(ctx context.Context) error) error {
					err := asyncio.Timeout(ctx, 10*time.Second, fn)
					if errors.Is(err, asyncio.ErrTimeout) {
						t.Errorf("a call hung during the outage")
					}
					return err
				}
				if err := bounded(ctx, func(ctx context.Context) error {
					_, err := inFlight.Wait(ctx)
					return err
				}); err == nil {
					t.Errorf("the statement in flight succeeded across the cut")
				}
				t.Logf("the statement in flight failed %v after the cut", clock.Time()-cutAt)
				// Calls during the outage fail, each with an error.
				for i := range 2 * maxConns {
					if err := bounded(ctx, func(ctx context.Context) error {
						_, err := query(ctx)
						return err
					}); err == nil {
						t.Errorf("call %d during the outage succeeded", i)
					}
				}
				t.Logf("outage calls done %v after the cut; %+v", clock.Time()-cutAt, p.Stats())
				x.restore()
				var failed int
				for i := range 20 {
					if err := bounded(ctx, func(ctx context.Context) error {
						_, err := query(ctx)
						return err
					}); err != nil {
						failed++
						if i >= maxConns {
							t.Errorf("call %d after the restore: %v", i, err)
						}
					}
				}
				s := p.Stats()
				t.Logf("after the restore: %d of 20 calls failed; %+v", failed, s)
				if s.Open > maxConns || s.InUse != 0 {
					t.Errorf("after the restore: %+v", s)
				}
				return nil
			})
		})
	}
}

// mustHost returns the host:port of a server URL.
func mustHost(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u.Host
}
