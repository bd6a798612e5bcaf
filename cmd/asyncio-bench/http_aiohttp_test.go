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
	out, err := httpClient(httpClientConfig{url: srv.URL, idle: 8})
	if err != nil {
		t.Fatal(err)
	}
	if out["opened"].(int) < 1 {
		t.Errorf("http-client -idle: %v; want connections opened", out)
	}
}
