//go:build linux

package main

import (
	"net/http/httptest"
	"testing"
	"time"
)

// TestHTTPClient runs the http-client mode for a short window against a
// net/http server serving httpHandler: every request succeeds.
func TestHTTPClient(t *testing.T) {
	srv := httptest.NewServer(httpHandler())
	defer srv.Close()
	out, err := httpClient(httpClientConfig{url: srv.URL, tasks: 4, warmup: 10 * time.Millisecond, duration: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if out["requests"].(int) == 0 || out["errors"].(int) != 0 {
		t.Errorf("http-client: %v; want requests and no error", out)
	}
}

// TestHTTPClientIdle runs the http-client mode's idle measurement: the
// requests at once open connections that the pool keeps.
func TestHTTPClientIdle(t *testing.T) {
	srv := httptest.NewServer(httpHandler())
	defer srv.Close()
	// More requests than the session's default limit (100): all of them
	// at once, each on a connection of its own.
	const n = 120
	out, err := httpClient(httpClientConfig{url: srv.URL, idle: n})
	if err != nil {
		t.Fatal(err)
	}
	if out["opened"].(int) < n-1 {
		t.Errorf("http-client -idle %d: %v; want %d connections opened (one may be the first request's)", n, out, n)
	}
}
