//go:build unix && !solaris && !illumos

// Solaris and illumos have no SO_REUSEPORT, which Workers(n > 1) needs.

package aiohttp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/monitor"
)

// maxTries bounds the connections a test opens until both workers have
// had one: the kernel spreads them by a hash, so each lands on either
// worker about half the time.
const maxTries = 200

// loopID returns the ID of the loop a request runs on: which worker
// serves it.
func loopID(r *http.Request) uint64 { return asyncio.RunningLoop(r.Context()).ID() }

// openLoops returns the IDs of the loops of the process that are open.
func openLoops() map[uint64]bool {
	ids := make(map[uint64]bool)
	for _, l := range asyncio.Loops() {
		ids[l.ID()] = true
	}
	return ids
}

// getOnce fetches url on a connection of its own and returns the body.
func getOnce(url string) (*http.Response, string, error) {
	tr := &http.Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 20 * time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, string(b), err
}

func TestWorkersServeOnePort(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if name := asyncio.CurrentTask(r.Context()).Name(); name != "GET /" {
			t.Errorf("request's task is named %q, want %q", name, "GET /")
		}
		fmt.Fprint(w, loopID(r))
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		self := asyncio.RunningLoop(ctx).ID()
		url := "http://" + srv.Addr().String() + "/"
		seen := make(map[uint64]int)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for tries := 0; tries < maxTries && len(seen) < 2; tries++ {
				_, body, err := getOnce(url)
				if err != nil {
					t.Error(err)
					return
				}
				id, err := strconv.ParseUint(body, 10, 64)
				if err != nil {
					t.Errorf("body %q: %v", body, err)
					return
				}
				seen[id]++
			}
			// The monitor shows each worker's loop, with the task of its
			// worker.
			for id := range seen {
				rec := httptest.NewRecorder()
				monitor.Handler().ServeHTTP(rec, httptest.NewRequest("GET", fmt.Sprintf("/loops/%d", id), nil))
				snap := rec.Body.String()
				worker := `"worker-1"`
				if id == self {
					worker = `"worker-0"`
				}
				if rec.Code != http.StatusOK || !strings.Contains(snap, worker) {
					t.Errorf("monitor's loop %d: %d, no task %s in %s", id, rec.Code, worker, snap)
				}
			}
		}()
		if _, _, err := asyncio.Recv(ctx, done); err != nil {
			return struct{}{}, err
		}
		if len(seen) != 2 || seen[self] == 0 {
			t.Errorf("loops that answered: %v, want this loop (%d) and another", seen, self)
		}
		open := openLoops()
		for id := range seen {
			if !open[id] {
				t.Errorf("loop %d answered but is not among the open loops %v", id, open)
			}
		}
		if err := srv.Shutdown(ctx); err != nil {
			return struct{}{}, err
		}
		open = openLoops()
		for id := range seen {
			if open[id] != (id == self) {
				t.Errorf("after Shutdown, open loops %v: want only this loop (%d) of %v", open, self, seen)
			}
		}
		if err := srv.Wait(ctx); err != nil {
			t.Errorf("Wait after Shutdown: %v", err)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// blocked is a handler whose requests wait for release, or for their
// cancellation, and the record of what they did; it answers /id at once
// with the ID of its loop.
type blocked struct {
	started   chan uint64 // the worker's loop of each request, once it runs
	release   chan struct{}
	finished  atomic.Int32
	cancelled atomic.Int32
}

func newBlocked() *blocked {
	return &blocked{started: make(chan uint64, maxTries), release: make(chan struct{})}
}

func (b *blocked) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := loopID(r)
	if r.URL.Path == "/id" {
		fmt.Fprint(w, id)
		return
	}
	b.started <- id
	if _, _, err := asyncio.Recv(r.Context(), b.release); err != nil {
		b.cancelled.Add(1)
		return
	}
	fmt.Fprint(w, id)
	b.finished.Add(1)
}

// outcome is what a client got for one request.
type outcome struct {
	resp *http.Response
	body string
	err  error
}

// inFlightOnBoth sends requests to url, each on a connection of its own
// and in a goroutine of its own, until requests wait in the handler on two
// loops. It returns how many it sent; their outcomes arrive on out.
func inFlightOnBoth(t *testing.T, url string, b *blocked, out chan outcome) int {
	seen := make(map[uint64]bool)
	n := 0
	for n < maxTries && len(seen) < 2 {
		n++
		go func() {
			resp, body, err := getOnce(url)
			out <- outcome{resp, body, err}
		}()
		select {
		case id := <-b.started:
			seen[id] = true
		case o := <-out:
			// Put back for the caller, who reads n outcomes.
			out <- o
			t.Errorf("a request ended before its handler ran: %v", o.err)
			return n
		}
	}
	if len(seen) < 2 {
		t.Errorf("after %d connections, requests wait on loops %v only", n, seen)
	}
	return n
}

// idleOnBoth returns a connection to each worker that has served a
// request and is idle, kept alive. Shutdown closes idle connections at
// once: a read of each that ends says that every worker shuts down.
func idleOnBoth(t *testing.T, addr string) []*rawConn {
	byLoop := make(map[string]*rawConn)
	for range maxTries {
		// Not dialRaw, whose t.Fatal is for the test's goroutine.
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			break
		}
		_ = nc.SetDeadline(time.Now().Add(20 * time.Second))
		c := &rawConn{t, nc, bufio.NewReader(nc)}
		c.send("GET /id HTTP/1.1\r\nHost: x\r\n\r\n")
		_, id := c.response("GET")
		if byLoop[id] != nil || id == "" {
			c.Close()
			continue
		}
		byLoop[id] = c
		if len(byLoop) == 2 {
			break
		}
	}
	if len(byLoop) < 2 {
		t.Errorf("after %d connections, loops %v only answered", maxTries, byLoop)
	}
	var conns []*rawConn
	for _, c := range byLoop {
		conns = append(conns, c)
	}
	return conns
}

// untilClosed reads each connection to its end and closes it.
func untilClosed(conns []*rawConn) {
	for _, c := range conns {
		if rest := c.readAll(); rest != "" {
			c.t.Errorf("idle connection got %q", rest)
		}
		c.Close()
	}
}

func TestWorkersShutdownFinishesRequests(t *testing.T) {
	b := newBlocked()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", b, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		addr := srv.Addr().String()
		done := make(chan error, 1)
		go func() {
			out := make(chan outcome, maxTries)
			idle := idleOnBoth(t, addr)
			n := inFlightOnBoth(t, "http://"+addr+"/", b, out)
			shut := make(chan error, 1)
			go func() { shut <- srv.Shutdown(context.Background()) }()
			untilClosed(idle)
			close(b.release)
			for range n {
				o := <-out
				switch {
				case o.err != nil:
					t.Errorf("request in flight at Shutdown: %v", o.err)
				case o.resp.StatusCode != http.StatusOK || o.body == "":
					t.Errorf("request in flight at Shutdown: %s %q", o.resp.Status, o.body)
				case !o.resp.Close:
					t.Errorf("response during Shutdown without Connection: close")
				}
			}
			err := <-shut
			if f := b.finished.Load(); int(f) != n {
				t.Errorf("Shutdown returned with %d of %d requests finished", f, n)
			}
			done <- err
		}()
		v, _, err := asyncio.Recv(ctx, done)
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, v
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorkersShutdownCancelsAtDeadline(t *testing.T) {
	b := newBlocked()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", b, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		addr := srv.Addr().String()
		done := make(chan struct{})
		go func() {
			defer close(done)
			out := make(chan outcome, maxTries)
			idle := idleOnBoth(t, addr)
			n := inFlightOnBoth(t, "http://"+addr+"/", b, out)
			sctx, cancel := context.WithCancel(context.Background())
			shut := make(chan error, 1)
			go func() { shut <- srv.Shutdown(sctx) }()
			untilClosed(idle)
			cancel() // the requests never end on their own
			if err := <-shut; !errors.Is(err, context.Canceled) {
				t.Errorf("Shutdown whose ctx ended: %v, want context.Canceled", err)
			}
			if c := b.cancelled.Load(); int(c) != n {
				t.Errorf("Shutdown returned with %d of %d requests cancelled", c, n)
			}
			for range n {
				if o := <-out; o.err == nil {
					t.Errorf("request cancelled by Shutdown: %s %q", o.resp.Status, o.body)
				}
			}
		}()
		_, _, err = asyncio.Recv(ctx, done)
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorkersClose(t *testing.T) {
	b := newBlocked()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", b, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		url := "http://" + srv.Addr().String() + "/"
		out := make(chan outcome, maxTries)
		inFlight := make(chan int, 1)
		go func() { inFlight <- inFlightOnBoth(t, url, b, out) }()
		n, _, err := asyncio.Recv(ctx, inFlight)
		if err != nil {
			return struct{}{}, err
		}
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		if err := srv.Wait(ctx); err != nil {
			t.Errorf("Wait after Close: %v", err)
		}
		if c := b.cancelled.Load(); int(c) != n {
			t.Errorf("Wait returned with %d of %d requests cancelled", c, n)
		}
		for range n {
			o, _, err := asyncio.Recv(ctx, out)
			if err != nil {
				return struct{}{}, err
			}
			if o.err == nil {
				t.Errorf("request in flight at Close: %s %q", o.resp.Status, o.body)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestWorkersErrors(t *testing.T) {
	h := http.NotFoundHandler()
	for _, n := range []int{0, -1} {
		_, err := asyncio.Run(func(ctx context.Context) (*aiohttp.Server, error) {
			return aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.Workers(n))
		})
		if err == nil {
			t.Errorf("Workers(%d): no error", n)
		}
	}
	_, err := asyncio.Run(func(ctx context.Context) (*aiohttp.Server, error) {
		return aiohttp.Serve(ctx, "unix:workers.sock", h, aiohttp.Workers(2))
	})
	if !errors.Is(err, aiohttp.ErrWorkersNotSupported) {
		t.Errorf("Workers(2) on a Unix socket: %v, want ErrWorkersNotSupported", err)
	}
	_, err = asyncio.Run(func(ctx context.Context) (*aiohttp.Server, error) {
		return aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.Workers(2))
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if !errors.Is(err, asyncio.ErrWorkersVirtualClock) {
		t.Errorf("Workers(2) on a virtual clock: %v, want ErrWorkersVirtualClock", err)
	}
	// Worker 0 cannot listen: the port is taken by a socket without
	// SO_REUSEPORT.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = asyncio.Run(func(ctx context.Context) (*aiohttp.Server, error) {
		return aiohttp.Serve(ctx, l.Addr().String(), h, aiohttp.Workers(2))
	})
	if err == nil {
		t.Errorf("Workers(2) on a port taken: no error")
	}
}

// A server whose caller's loop ends without Shutdown is closed with it,
// every worker's loop too.
func TestWorkersEndWithRun(t *testing.T) {
	before := len(asyncio.Loops())
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if _, err := aiohttp.Serve(ctx, "127.0.0.1:0", http.NotFoundHandler(), aiohttp.Workers(3)); err != nil {
			return struct{}{}, err
		}
		// Run's loop and the workers' others.
		if got := len(asyncio.Loops()); got != before+3 {
			t.Errorf("%d loops open while serving, want %d", got, before+3)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := len(asyncio.Loops()); got != before {
		t.Errorf("%d loops open after Run, want %d", got, before)
	}
}

// A worker that fails ends every worker, and its failure comes out of
// Wait: here a handler stops its worker's loop, which only the worker's
// own code may do.
func TestWorkersFailureEndsAll(t *testing.T) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		self := asyncio.RunningLoop(ctx)
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if l := asyncio.RunningLoop(r.Context()); l != self {
				l.Stop()
				return
			}
			fmt.Fprint(w, "worker 0")
		})
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.Workers(2))
		if err != nil {
			return struct{}{}, err
		}
		url := "http://" + srv.Addr().String() + "/"
		done := make(chan struct{})
		go func() {
			defer close(done)
			// Until a request reaches the other worker, which then
			// fails: its connection ends without a response, and the
			// listeners close.
			for range maxTries {
				if _, body, err := getOnce(url); err != nil || body != "worker 0" {
					return
				}
			}
			t.Errorf("no request reached the other worker in %d", maxTries)
		}()
		if _, _, err := asyncio.Recv(ctx, done); err != nil {
			return struct{}{}, err
		}
		err = srv.Wait(ctx)
		if err == nil || !strings.Contains(err.Error(), "worker-1") {
			t.Errorf("Wait after a worker failed: %v, want its failure", err)
		}
		if serr := srv.Shutdown(ctx); serr == nil || serr.Error() != err.Error() {
			t.Errorf("Shutdown after a worker failed: %v, want %v", serr, err)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Every worker speaks TLS with the one configuration.
func TestWorkersTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil {
			t.Errorf("request without TLS state")
		}
		fmt.Fprint(w, loopID(r))
	})
	opts := []aiohttp.ServerOption{aiohttp.Workers(2), aiohttp.TLS(&tls.Config{Certificates: []tls.Certificate{cert}})}
	serveWith(t, h, opts, nil, func(addr string) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, DisableKeepAlives: true}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr, Timeout: 20 * time.Second}
		seen := make(map[string]bool)
		for tries := 0; tries < maxTries && len(seen) < 2; tries++ {
			resp, body := get(t, c, "https://"+addr+"/")
			if resp == nil {
				return
			}
			seen[body] = true
		}
		if len(seen) != 2 {
			t.Errorf("loops that answered over TLS: %v, want 2", seen)
		}
	})
}
