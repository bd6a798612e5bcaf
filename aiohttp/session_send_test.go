package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionCookieFromPlainResponse checks that a cookie set by a
// response that does not redirect, which the session sends without its
// http.Client, is kept and sent with the next request.
func TestSessionCookieFromPlainResponse(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/set" {
			http.SetCookie(w, &http.Cookie{Name: "k", Value: "v1", Path: "/"})
		}
		if c, err := r.Cookie("k"); err == nil {
			io.WriteString(w, "k="+c.Value)
		}
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, tc := range []struct{ path, want string }{{"/", ""}, {"/set", ""}, {"/", "k=v1"}} {
			resp, err := s.Get(ctx, srv.URL+tc.path)
			if err != nil {
				return err
			}
			if got, err := resp.Text(ctx); err != nil || got != tc.want {
				t.Errorf("GET %s: %q %v, want %q", tc.path, got, err, tc.want)
			}
		}
		return nil
	})
}

// TestSessionRedirectStatusWithoutLocation checks that a 3xx response the
// http.Client does not follow, a 307 without Location, is returned as it
// is, body included, once replayed to the client.
func TestSessionRedirectStatusWithoutLocation(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusTemporaryRedirect)
		io.WriteString(w, "stay")
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return err
		}
		if got, err := resp.Text(ctx); err != nil || resp.StatusCode != 307 || got != "stay" {
			t.Errorf("GET: %d %q %v, want 307 \"stay\"", resp.StatusCode, got, err)
		}
		return nil
	})
}

// TestSessionErrorNamesRequest checks the error of a request that fails
// on its first hop: it names the method and the URL, and wraps the cause.
func TestSessionErrorNamesRequest(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String() + "/x"
	ln.Close() // nothing listens there now
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		_, err := s.Get(ctx, url)
		var oe *net.OpError
		if err == nil || !strings.HasPrefix(err.Error(), "aiohttp: GET "+url+": ") {
			t.Errorf("GET of a closed port: %v, want \"aiohttp: GET %s: ...\"", err, url)
		} else if !errors.As(err, &oe) {
			t.Errorf("GET of a closed port: %v does not wrap a *net.OpError", err)
		}
		return nil
	})
}
