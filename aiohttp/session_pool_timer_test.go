package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// The virtual clock jumps to the next timer whenever the loop waits for
// nothing but I/O, as trio's autojump does: these tests of real network
// I/O therefore make requests without a total timeout, so that the only
// timers are the ones under test.
var noTimeout = aiohttp.Timeout(aiohttp.ClientTimeout{})

// TestSessionIdleTimeout checks, on a virtual clock, that an idle
// connection is reused within the keep-alive timeout and closed after it.
func TestSessionIdleTimeout(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession(aiohttp.KeepAliveTimeout(15*time.Second), noTimeout)
		defer s.Close(ctx)
		get := func() error {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return err
			}
			_, err = resp.Text(ctx)
			return err
		}
		if err := get(); err != nil {
			return struct{}{}, err
		}
		asyncio.Sleep(ctx, 14*time.Second)
		if err := get(); err != nil {
			return struct{}{}, err
		}
		if opened, _ := srv.counts(); opened != 1 {
			t.Errorf("within the keep-alive timeout: %d connections, want 1", opened)
		}
		// At 28 s the first idle spell's deadline (15 s) is past, the
		// second's (29 s) is not: the connection is still there.
		asyncio.Sleep(ctx, 14*time.Second)
		if err := get(); err != nil {
			return struct{}{}, err
		}
		if opened, _ := srv.counts(); opened != 1 {
			t.Errorf("within the second idle spell's timeout: %d connections, want 1", opened)
		}
		asyncio.Sleep(ctx, 16*time.Second)
		// The server sees the idle connection closed.
		if _, _, err := asyncio.Recv(ctx, srv.closed); err != nil {
			return struct{}{}, err
		}
		if err := get(); err != nil {
			return struct{}{}, err
		}
		if opened, _ := srv.counts(); opened != 2 {
			t.Errorf("after the keep-alive timeout: %d connections, want 2", opened)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSessionTimeoutConnectWaitingForPool: with the only connection in
// use, a request waits for it no longer than its Connect timeout.
func TestSessionTimeoutConnectWaitingForPool(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession(aiohttp.Limit(1), noTimeout)
		defer s.Close(ctx)
		held, err := s.Get(ctx, srv.URL)
		if err != nil {
			return struct{}{}, err
		}
		defer held.Release()
		start := asyncio.RunningLoop(ctx).Time()
		_, err = s.Get(ctx, srv.URL, aiohttp.Timeout(aiohttp.ClientTimeout{Connect: 3 * time.Second}))
		var te *aiohttp.TimeoutError
		if !errors.As(err, &te) || te.Kind != "connect" {
			t.Errorf("err = %v, want a connect timeout", err)
		}
		if d := asyncio.RunningLoop(ctx).Time() - start; d != 3*time.Second {
			t.Errorf("waited %v, want 3s", d)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSessionDNSCache checks the cache's hits and misses through the
// trace hooks, on a virtual clock: a host is resolved again once its
// entry is older than the TTL.
func TestSessionDNSCache(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	var events []string
	trace := &aiohttp.TraceConfig{
		DNSCacheHit:       func(_ context.Context, host string) { events = append(events, "hit "+host) },
		DNSCacheMiss:      func(_ context.Context, host string) { events = append(events, "miss "+host) },
		DNSResolveHostEnd: func(_ context.Context, host string) { events = append(events, "resolved "+host) },
		RequestStart:      func(_ context.Context, r *http.Request) { events = append(events, "start "+r.Method) },
		RequestEnd: func(_ context.Context, r *http.Request, resp *http.Response) {
			events = append(events, "end "+resp.Status)
		},
		ConnectionCreateEnd: func(context.Context) { events = append(events, "connected") },
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// No keep-alive, so that every request connects and resolves.
		s := aiohttp.NewSession(aiohttp.TraceConfigs(trace), aiohttp.TTLDNSCache(10*time.Second), noTimeout)
		defer s.Close(ctx)
		for _, wait := range []time.Duration{0, 5 * time.Second, 11 * time.Second} {
			asyncio.Sleep(ctx, wait)
			resp, err := s.Get(ctx, url, aiohttp.WithHeader("Connection", "close"))
			if err != nil {
				return struct{}{}, err
			}
			if _, err := resp.Text(ctx); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
	want := "start GET,miss localhost,resolved localhost,connected,end 200 OK," +
		"start GET,hit localhost,connected,end 200 OK," +
		"start GET,miss localhost,resolved localhost,connected,end 200 OK"
	if got := strings.Join(events, ","); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
}

// TestSessionDNSLookupShared: concurrent requests to a host not yet in
// the cache share one lookup.
func TestSessionDNSLookupShared(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	lookups := 0
	trace := &aiohttp.TraceConfig{DNSResolveHostStart: func(context.Context, string) { lookups++ }}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		fns := make([]func(context.Context) (string, error), 5)
		for i := range fns {
			fns[i] = func(ctx context.Context) (string, error) {
				resp, err := s.Get(ctx, url)
				if err != nil {
					return "", err
				}
				return resp.Text(ctx)
			}
		}
		_, err := asyncio.Gather(ctx, fns...)
		return err
	}, aiohttp.TraceConfigs(trace))
	if lookups != 1 {
		t.Errorf("%d lookups for 5 concurrent requests, want 1", lookups)
	}
}
