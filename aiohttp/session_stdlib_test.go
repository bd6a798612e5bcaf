package aiohttp_test

import (
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/klauspost/compress/zstd"
)

func TestSessionBrotliZstd(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enc := r.URL.Query().Get("enc")
		w.Header().Set("Content-Encoding", enc)
		var z io.WriteCloser
		if enc == "br" {
			z = brotli.NewWriter(w)
		} else {
			z, _ = zstd.NewWriter(w)
		}
		io.WriteString(z, "encoded as "+enc)
		z.Close()
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, enc := range []string{"br", "zstd"} {
			resp, err := s.Get(ctx, srv.URL+"?enc="+enc)
			if err != nil {
				return err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != "encoded as "+enc {
				t.Errorf("%s: got %q", enc, got)
			}
		}
		return nil
	})
}

func TestSessionGzip(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			io.WriteString(w, "identity")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		z := gzip.NewWriter(w)
		io.WriteString(z, "compressed text")
		z.Close()
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return err
		}
		got, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		if got != "compressed text" || resp.Header.Get("Content-Encoding") != "" {
			t.Errorf("got %q, Content-Encoding %q", got, resp.Header.Get("Content-Encoding"))
		}
		// A caller that asks for an encoding gets the bytes as they came.
		resp, err = s.Get(ctx, srv.URL, aiohttp.WithHeader("Accept-Encoding", "gzip"))
		if err != nil {
			return err
		}
		raw, err := resp.Bytes(ctx)
		if err != nil {
			return err
		}
		if resp.Header.Get("Content-Encoding") != "gzip" || len(raw) < 2 || raw[0] != 0x1f || raw[1] != 0x8b {
			t.Errorf("with Accept-Encoding set: %q, Content-Encoding %q", raw, resp.Header.Get("Content-Encoding"))
		}
		return nil
	})
}

// TestSessionTransportForHTTPClient uses the session as the transport of
// an *http.Client from a task and from a plain goroutine; both share the
// session's one connection.
func TestSessionTransportForHTTPClient(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "from "+r.URL.Path)
	}))
	get := func(c *http.Client, ctx context.Context, path string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
		resp, err := c.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		c := &http.Client{Transport: s.Transport()}
		if got, err := get(c, ctx, "/task"); err != nil || got != "from /task" {
			t.Errorf("from a task: %q, %v", got, err)
		}
		got, err := asyncio.ToThread(ctx, func() (string, error) {
			return get(c, context.Background(), "/goroutine")
		})
		if err != nil || got != "from /goroutine" {
			t.Errorf("from a goroutine: %q, %v", got, err)
		}
		// Session methods from a goroutine too.
		got, err = asyncio.ToThread(ctx, func() (string, error) {
			resp, err := s.Get(context.Background(), srv.URL+"/session")
			if err != nil {
				return "", err
			}
			return resp.Text(context.Background())
		})
		if err != nil || got != "from /session" {
			t.Errorf("session from a goroutine: %q, %v", got, err)
		}
		return nil
	})
	if opened, _ := srv.counts(); opened != 1 {
		t.Errorf("server saw %d connections, want 1", opened)
	}
}

func TestSessionNoLoopFromGoroutine(t *testing.T) {
	s := aiohttp.NewSession()
	if _, err := s.Get(context.Background(), "http://127.0.0.1:1/"); err != aiohttp.ErrNoLoop {
		t.Errorf("err = %v, want ErrNoLoop", err)
	}
}

func TestSessionTLS(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "over "+r.Proto+" with TLS: "+map[bool]string{true: "yes", false: "no"}[r.TLS != nil])
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for range 2 {
			got, err := text(ctx, s, srv.URL)
			if err != nil {
				return err
			}
			if got != "over HTTP/1.1 with TLS: yes" {
				t.Errorf("got %q", got)
			}
		}
		return nil
	}, aiohttp.TLS(&tls.Config{RootCAs: roots}))
	// Without the server's certificate among the roots, verification fails.
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		if _, err := s.Get(ctx, srv.URL); err == nil {
			t.Error("a certificate nobody trusts was accepted")
		}
		return nil
	})
}

// TestSessionBelongsToOneLoop: a session bound to one loop refuses the
// tasks of another, and closes from a plain goroutine while its loop runs.
func TestSessionBelongsToOneLoop(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	s := aiohttp.NewSession()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return struct{}{}, err
		}
		if _, err := resp.Text(ctx); err != nil {
			return struct{}{}, err
		}
		_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) { return struct{}{}, nil })
		if !errors.Is(err, asyncio.ErrNestedRun) {
			t.Errorf("nested Run: %v", err)
		}
		// Close from a goroutine: it hands the work to the loop.
		return asyncio.ToThread(ctx, func() (struct{}, error) { return struct{}{}, s.Close(context.Background()) })
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := asyncio.Recv(context.Background(), srv.closed); err != nil {
		t.Fatal(err)
	}
	s2 := aiohttp.NewSession()
	r := asyncio.NewRunner()
	defer r.Close()
	r.Run(func(ctx context.Context) error {
		resp, err := s2.Get(ctx, srv.URL)
		if err == nil {
			resp.Release()
		}
		return err
	})
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		_, err := s2.Get(ctx, srv.URL)
		return struct{}{}, err
	})
	if !errors.Is(err, aiohttp.ErrOtherLoop) {
		t.Errorf("request from another loop: %v, want ErrOtherLoop", err)
	}
	r.Run(func(ctx context.Context) error { return s2.Close(ctx) })
}

// TestSessionBodyReadFromAnotherGoroutine: a response got in a task, its
// body read by a plain goroutine (as a library handed the body would).
func TestSessionBodyReadFromAnotherGoroutine(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("b", 20000))
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		c := &http.Client{Transport: s.Transport()}
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL, nil)
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		n, err := asyncio.ToThread(ctx, func() (int, error) {
			defer resp.Body.Close()
			b, err := io.ReadAll(resp.Body)
			return len(b), err
		})
		if err != nil || n != 20000 {
			t.Errorf("read %d bytes, %v; want 20000", n, err)
		}
		return nil
	})
}
