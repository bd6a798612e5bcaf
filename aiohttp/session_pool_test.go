package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func TestSessionKeepAliveReuse(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	reused := 0
	trace := &aiohttp.TraceConfig{ConnectionReuse: func(context.Context) { reused++ }}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for i := range 5 {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return err
			}
			if text, err := resp.Text(ctx); err != nil || text != "ok" {
				return fmt.Errorf("request %d: %q, %v", i, text, err)
			}
		}
		return nil
	}, aiohttp.TraceConfigs(trace))
	if opened, _ := srv.counts(); opened != 1 {
		t.Errorf("server saw %d connections for 5 sequential requests, want 1", opened)
	}
	if reused != 4 {
		t.Errorf("ConnectionReuse called %d times, want 4", reused)
	}
}

func TestSessionPoolLimitPerHost(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
		io.WriteString(w, "ok")
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		fns := make([]func(context.Context) (string, error), 10)
		for i := range fns {
			fns[i] = func(ctx context.Context) (string, error) {
				resp, err := s.Get(ctx, srv.URL)
				if err != nil {
					return "", err
				}
				return resp.Text(ctx)
			}
		}
		// Let the first two requests reach the handler, then release
		// them all: at most two are ever at the server.
		opener := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for range 2 {
				if _, _, err := asyncio.Recv(ctx, arrived); err != nil {
					return struct{}{}, err
				}
			}
			close(release)
			return struct{}{}, nil
		})
		got, err := asyncio.Gather(ctx, fns...)
		if err != nil {
			return err
		}
		if _, err := opener.Wait(ctx); err != nil {
			return err
		}
		for _, g := range got {
			if g != "ok" {
				t.Errorf("body %q", g)
			}
		}
		return nil
	}, aiohttp.LimitPerHost(2))
	opened, maxOpen := srv.counts()
	if maxOpen > 2 || opened > 2 {
		t.Errorf("server saw %d connections, %d at once; want at most 2", opened, maxOpen)
	}
}

func TestSessionTotalLimitWaits(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	queued := 0
	trace := &aiohttp.TraceConfig{ConnectionQueuedStart: func(context.Context) { queued++ }}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		fns := make([]func(context.Context) (string, error), 4)
		for i := range fns {
			fns[i] = func(ctx context.Context) (string, error) {
				resp, err := s.Get(ctx, fmt.Sprintf("%s/%d", srv.URL, i))
				if err != nil {
					return "", err
				}
				return resp.Text(ctx)
			}
		}
		got, err := asyncio.Gather(ctx, fns...)
		for i, g := range got {
			if g != fmt.Sprintf("/%d", i) {
				t.Errorf("body %d = %q", i, g)
			}
		}
		return err
	}, aiohttp.Limit(1), aiohttp.TraceConfigs(trace))
	if opened, _ := srv.counts(); opened != 1 {
		t.Errorf("server saw %d connections with Limit(1), want 1", opened)
	}
	if queued == 0 {
		t.Error("no request waited for a connection")
	}
}

// TestSessionServerClosesIdleConnection: a server that closes each
// connection after its response, without saying so, costs a new
// connection per request but no failed request, whether the client sees
// the close before reusing the connection or only as it does (then the
// request is retried once).
func TestSessionServerClosesIdleConnection(t *testing.T) {
	srv := newCountingServer(t, rawResponse("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for i := range 5 {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return fmt.Errorf("request %d: %w", i, err)
			}
			if got, err := resp.Text(ctx); err != nil || got != "ok" {
				return fmt.Errorf("request %d: %q, %v", i, got, err)
			}
		}
		return nil
	})
	if opened, _ := srv.counts(); opened < 5 {
		t.Errorf("server saw %d connections for 5 requests it closed after, want 5 or more", opened)
	}
}
