package aiohttp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// simServe serves h with NewServer on port 80 of host name of network n,
// and returns the server and its listener.
func simServe(t *testing.T, ctx context.Context, n *simnet.Network, name string, h http.Handler, opts ...aiohttp.ServerOption) (*aiohttp.Server, *simnet.Listener) {
	t.Helper()
	srv, err := aiohttp.NewServer(ctx, h, opts...)
	if err != nil {
		t.Fatal(err)
	}
	l, err := n.Host(name).CreateServer(ctx, ":80", srv.ProtocolFactory())
	if err != nil {
		t.Fatal(err)
	}
	return srv, l
}

// TestNewServerOverSimnet: a server made with NewServer serves the
// connections of a listener it was given, to a session that dials with
// Dial, and Shutdown lets the request in flight finish, closes its
// connection, and returns once it is done, on the virtual clock.
func TestNewServerOverSimnet(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n, err := simnet.New(ctx, 1)
		if err != nil {
			return err
		}
		n.SetDefaultLink(simnet.Link{Latency: 10 * time.Millisecond})
		started := asyncio.NewEvent()
		srv, l := simServe(t, ctx, n, "api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			started.Set()
			if err := asyncio.Sleep(r.Context(), time.Minute); err != nil {
				return
			}
			io.WriteString(w, "slept on "+r.Host)
		}))
		if srv.Addr() != nil {
			t.Errorf("Addr of a server without listener = %v, want nil", srv.Addr())
		}
		s := aiohttp.NewSession(aiohttp.Dial(n.Host("client").CreateConnection))
		defer s.Close(ctx)

		loop := asyncio.RunningLoop(ctx)
		get := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			resp, err := s.Get(ctx, "http://api/x")
			if err != nil {
				return "", err
			}
			defer resp.Release()
			if got := resp.Header.Get("Connection"); got != "close" {
				t.Errorf("Connection of the response finished during Shutdown = %q, want close", got)
			}
			return resp.Text(ctx)
		})
		if err := started.Wait(ctx); err != nil {
			return err
		}
		l.Close() // the listener is the caller's to close
		if err := srv.Shutdown(ctx); err != nil {
			return err
		}
		// Dial 20ms, request 10ms, a minute's sleep; Shutdown returns
		// once the response is sent, before it arrives.
		if got, want := loop.Time(), 30*time.Millisecond+time.Minute; got != want {
			t.Errorf("Shutdown returned at %v, want %v", got, want)
		}
		body, err := get.Wait(ctx)
		if err != nil {
			return err
		}
		if body != "slept on api" {
			t.Errorf("body = %q", body)
		}
		// A connection accepted after Shutdown is refused at once.
		_, err = s.Get(ctx, "http://api/x")
		if err == nil {
			t.Error("request after Shutdown succeeded")
		}
		return l.WaitClosed(ctx)
	})
}

// TestNewServerCloseAbortsHijacked: without a listener of its own, Close
// still aborts the connections its handlers hijacked.
func TestNewServerCloseAbortsHijacked(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n, err := simnet.New(ctx, 1)
		if err != nil {
			return err
		}
		hijacked := asyncio.NewEvent()
		srv, l := simServe(t, ctx, n, "api", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
			hijacked.Set() // and leave conn open
		}))
		defer l.Close()
		r, w, err := n.Host("client").OpenConnection(ctx, "api:80")
		if err != nil {
			return err
		}
		defer w.Close()
		w.Write([]byte("GET / HTTP/1.1\r\nHost: api\r\n\r\n"))
		if err := hijacked.Wait(ctx); err != nil {
			return err
		}
		if err := srv.Close(); err != nil {
			return err
		}
		if err := srv.Wait(ctx); err != nil {
			return err
		}
		b, err := r.ReadExactly(ctx, len("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"))
		if !strings.HasSuffix(string(b), "hello") || err != nil {
			t.Fatalf("read %q, %v; want the hijacked response", b, err)
		}
		// The handler left the connection open: only Close ends it.
		if b, err := r.Read(ctx, -1); len(b) != 0 || err != nil || !r.AtEOF() {
			t.Errorf("after Close: read %q, %v; want the connection ended", b, err)
		}
		return nil
	})
}

// TestNewServerRefusesListenerOptions: options that configure a listener
// are refused by NewServer, with an error saying why.
func TestNewServerRefusesListenerOptions(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		h := http.NotFoundHandler()
		for name, opt := range map[string]aiohttp.ServerOption{
			"TLS":     aiohttp.TLS(&tls.Config{}),
			"Workers": aiohttp.Workers(2),
		} {
			if _, err := aiohttp.NewServer(ctx, h, opt); err == nil || !strings.Contains(err.Error(), name) {
				t.Errorf("NewServer with %s: %v, want an error naming it", name, err)
			}
		}
		return nil
	})
	if _, err := aiohttp.NewServer(context.Background(), http.NotFoundHandler()); err == nil {
		t.Error("NewServer outside a task succeeded")
	}
}

// TestDialError: the session's DialFunc is what connects, with the
// request's address, and its failure is the request's.
func TestDialError(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		errDial := errors.New("no route to the moon")
		s := aiohttp.NewSession(aiohttp.Dial(func(ctx context.Context, addr string, _ func() asyncio.Protocol) (asyncio.Transport, asyncio.Protocol, error) {
			if addr != "moon:80" {
				t.Errorf("dialed %q, want moon:80", addr)
			}
			return nil, nil, errDial
		}))
		defer s.Close(ctx)
		if _, err := s.Get(ctx, "http://moon/"); !errors.Is(err, errDial) {
			t.Errorf("Get: %v, want the dial's error", err)
		}
		return nil
	})
}

// TestDialTLS: an https URL runs TLS over the transport the DialFunc
// returns, verified against the URL's host: here a dial that reaches a
// net/http TLS server over TCP whatever the name asked for.
func TestDialTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secret for "+r.Host)
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	dialed := 0
	dial := func(ctx context.Context, addr string, factory func() asyncio.Protocol) (asyncio.Transport, asyncio.Protocol, error) {
		dialed++
		return asyncio.CreateConnection(ctx, "tcp", srv.Listener.Addr().String(), factory)
	}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		// httptest's certificate names example.com.
		body, err := text(ctx, s, "https://example.com/")
		if body != "secret for example.com" || err != nil {
			t.Errorf("body %q, %v; want the TLS server's answer", body, err)
		}
		if dialed != 1 {
			t.Errorf("dialed %d times, want 1", dialed)
		}
		// The certificate is verified against the URL's host.
		var hostErr x509.HostnameError
		if _, err := s.Get(ctx, "https://other.test/"); !errors.As(err, &hostErr) {
			t.Errorf("Get of another host: %v, want x509.HostnameError", err)
		}
		return nil
	}, aiohttp.Dial(dial), aiohttp.TLS(&tls.Config{RootCAs: roots}))
}
