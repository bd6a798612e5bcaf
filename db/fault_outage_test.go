package db_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// A proxy forwards TCP connections to a server, and can cut them all and
// refuse new ones for a while: the server going away, as the pool sees
// it. Its goroutines (the accept loop and two copiers per connection) are
// the test's: Close ends them all and waits for them.
type proxy struct {
	ln     net.Listener
	target string
	wg     sync.WaitGroup

	mu      sync.Mutex
	refuse  bool
	conns   map[net.Conn]bool
	stopped bool
}

func newProxy(t *testing.T, target string) *proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	x := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	x.wg.Add(1)
	go x.accept()
	t.Cleanup(x.Close)
	return x
}

func (x *proxy) accept() {
	defer x.wg.Done()
	for {
		c, err := x.ln.Accept()
		if err != nil {
			return
		}
		x.mu.Lock()
		refuse := x.refuse
		x.mu.Unlock()
		if refuse {
			c.Close()
			continue
		}
		s, err := net.DialTimeout("tcp", x.target, 2*time.Second)
		if err != nil {
			c.Close()
			continue
		}
		if !x.track(c, s) {
			continue
		}
		x.wg.Add(2)
		go x.pipe(c, s)
		go x.pipe(s, c)
	}
}

// track adds a connection pair, unless the proxy is refusing or closed.
func (x *proxy) track(c, s net.Conn) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.refuse || x.stopped {
		c.Close()
		s.Close()
		return false
	}
	x.conns[c], x.conns[s] = true, true
	return true
}

func (x *proxy) pipe(dst, src net.Conn) {
	defer x.wg.Done()
	io.Copy(dst, src)
	dst.Close()
	src.Close()
}

// cut closes every connection and refuses new ones until restore.
func (x *proxy) cut() {
	x.mu.Lock()
	defer x.mu.Unlock()
	x.refuse = true
	for c := range x.conns {
		c.Close()
	}
	clear(x.conns)
}

// refuseNew refuses new connections, or stops refusing them, leaving the
// open ones be.
func (x *proxy) refuseNew(on bool) {
	x.mu.Lock()
	x.refuse = on
	x.mu.Unlock()
}

func (x *proxy) restore() {
	x.mu.Lock()
	x.refuse = false
	x.mu.Unlock()
}

func (x *proxy) Close() {
	x.mu.Lock()
	x.stopped = true
	x.mu.Unlock()
	x.ln.Close()
	x.cut()
	x.wg.Wait()
}

// via returns the URL u with its host replaced by the proxy's.
func (x *proxy) via(t *testing.T, raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.Host = x.ln.Addr().String()
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
