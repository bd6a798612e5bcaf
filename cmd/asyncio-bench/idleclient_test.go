//go:build linux

package main

import (
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// TestGetOnce checks idleclient -proto http's exchange: a keep-alive 200
// passes, and the connection then counts as open until the server closes
// it; a response that closes the connection, or an error status, fails.
func TestGetOnce(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/" {
			http.NotFound(w, r)
			return
		}
		w.Write(hello)
	}))
	defer srv.Close()
	addr := strings.TrimPrefix(srv.URL, "http://")
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return c
	}

	c := dial()
	defer c.Close()
	if err := getOnce(c); err != nil {
		t.Fatalf("keep-alive 200: %v", err)
	}
	if n := stillOpen([]net.Conn{c}); n != 1 {
		t.Errorf("stillOpen after a keep-alive response = %d, want 1", n)
	}
	srv.CloseClientConnections()
	// The server's FIN reaches the client's socket asynchronously: wait for
	// it with a blocking read, which must see the end of the stream.
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read after the server closed: no error")
	}
	if n := stillOpen([]net.Conn{c}); n != 0 {
		t.Errorf("stillOpen after the server closed = %d, want 0", n)
	}
}

func TestGetOnceRefuses(t *testing.T) {
	for name, h := range map[string]http.HandlerFunc{
		"close":  func(w http.ResponseWriter, r *http.Request) { w.Header().Set("Connection", "close"); w.Write(hello) },
		"status": func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusServiceUnavailable) },
	} {
		srv := httptest.NewServer(h)
		c, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		if err := getOnce(c); err == nil {
			t.Errorf("%s: getOnce succeeded", name)
		}
		c.Close()
		srv.Close()
	}
}
