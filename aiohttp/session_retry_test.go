package aiohttp_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// rawServer serves each connection it accepts with serve, given the
// connection and its number (from 0), in a goroutine that ends when serve
// returns; serve must return once the connection is closed. The listener
// is closed and every goroutine waited for when the test ends.
func rawServer(t *testing.T, serve func(conn net.Conn, r *bufio.Reader, n int)) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := 0; ; n++ {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, conn)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				serve(conn, bufio.NewReader(conn), n)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return "http://" + ln.Addr().String()
}

// readRequest reads one request and its body from r.
func readRequest(r *bufio.Reader) (*http.Request, string, error) {
	req, err := http.ReadRequest(r)
	if err != nil {
		return nil, "", err
	}
	b, err := io.ReadAll(req.Body)
	return req, string(b), err
}

func answer(conn net.Conn, body string) {
	fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: %d\r\n\r\n%s", len(body), body)
}

// staleServer answers the first request of its first connection with
// Connection: keep-alive, then reads the next request on it and, instead
// of answering, closes the connection (reset, a RST, or not). Any later
// connection is answered normally, with the method and body it got. It
// records the requests it saw, as "conn: METHOD body".
func staleServer(t *testing.T, reset bool) (url string, seen func() []string) {
	var mu sync.Mutex
	var log []string
	url = rawServer(t, func(conn net.Conn, r *bufio.Reader, n int) {
		for i := 0; ; i++ {
			req, body, err := readRequest(r)
			if err != nil {
				return
			}
			mu.Lock()
			log = append(log, fmt.Sprintf("%d: %s %s", n, req.Method, body))
			mu.Unlock()
			if n == 0 && i == 1 {
				if reset {
					conn.(*net.TCPConn).SetLinger(0)
				}
				return // closes without a byte of response
			}
			answer(conn, fmt.Sprintf("%s %s on %d", req.Method, body, n))
		}
	})
	return url, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), log...)
	}
}

// TestSessionRetriesStaleKeepAlive: a request on a reused connection that
// the server closes (or resets) before answering is sent again on a new
// connection, when net/http would: GET, HEAD, OPTIONS and TRACE, or a
// request with an Idempotency-Key, with a body that can be sent again. Others fail with
// ErrServerDisconnected, since the server may have acted on them.
func TestSessionRetriesStaleKeepAlive(t *testing.T) {
	type second struct {
		name  string
		do    func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error)
		want  string // the answer, or "" for ErrServerDisconnected
		conn1 string // what the new connection saw, if any
	}
	seconds := []second{
		{"GET", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			return s.Get(ctx, url)
		}, "GET  on 1", "1: GET "},
		{"PUTWithIdempotencyKey", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			return s.Put(ctx, url, aiohttp.Body(strings.NewReader("again"), "text/plain"), aiohttp.WithHeader("Idempotency-Key", "k1"))
		}, "PUT again on 1", "1: PUT again"},
		{"POSTWithIdempotencyKey", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			return s.Post(ctx, url, aiohttp.JSONBody(1), aiohttp.WithHeader("X-Idempotency-Key", "k1"))
		}, "POST 1 on 1", "1: POST 1"},
		{"PUT", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			// Idempotent, but net/http does not retry it either.
			return s.Put(ctx, url, aiohttp.Body(strings.NewReader("again"), "text/plain"))
		}, "", ""},
		{"POST", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			return s.Post(ctx, url, aiohttp.JSONBody(1))
		}, "", ""},
		{"PUTStreamed", func(ctx context.Context, s *aiohttp.Session, url string) (*aiohttp.Response, error) {
			// A body read from a stream cannot be had again.
			return s.Put(ctx, url, aiohttp.Body(io.MultiReader(strings.NewReader("once")), "text/plain"))
		}, "", ""},
	}
	for _, reset := range []bool{false, true} {
		for _, sc := range seconds {
			t.Run(fmt.Sprintf("%s/reset=%v", sc.name, reset), func(t *testing.T) {
				url, seen := staleServer(t, reset)
				run(t, func(ctx context.Context, s *aiohttp.Session) error {
					resp, err := s.Get(ctx, url)
					if err != nil {
						return err
					}
					if got, err := resp.Text(ctx); err != nil || got != "GET  on 0" {
						return fmt.Errorf("first request: %q, %v", got, err)
					}
					resp, err = sc.do(ctx, s, url)
					if sc.want == "" {
						if !errors.Is(err, aiohttp.ErrServerDisconnected) {
							t.Errorf("err = %v, want ErrServerDisconnected", err)
						}
						if err == nil {
							resp.Release()
						}
						return nil
					}
					if err != nil {
						return fmt.Errorf("second request: %w", err)
					}
					if got, err := resp.Text(ctx); err != nil || got != sc.want {
						t.Errorf("second request: %q, %v; want %q", got, err, sc.want)
					}
					if resp.Request.URL.String() != url {
						t.Errorf("response's request is for %v", resp.Request.URL)
					}
					return nil
				}, noTimeout)
				log := seen()
				if len(log) < 2 || log[0] != "0: GET " {
					t.Fatalf("server saw %q", log)
				}
				if sc.conn1 == "" {
					if len(log) != 2 {
						t.Errorf("server saw %q, want no retry", log)
					}
				} else if len(log) != 3 || log[2] != sc.conn1 {
					t.Errorf("server saw %q, want the retry %q", log, sc.conn1)
				}
			})
		}
	}
}

// TestSessionRetryOnlyOnce: a request whose retry fails too returns the
// error: it is not sent a third time.
func TestSessionRetryOnlyOnce(t *testing.T) {
	var mu sync.Mutex
	requests := 0
	url := rawServer(t, func(conn net.Conn, r *bufio.Reader, n int) {
		for i := 0; ; i++ {
			if _, _, err := readRequest(r); err != nil {
				return
			}
			mu.Lock()
			requests++
			mu.Unlock()
			if n > 0 || i > 0 {
				return // every request but the very first is dropped
			}
			answer(conn, "first")
		}
	})
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, url)
		if err != nil {
			return err
		}
		if _, err := resp.Text(ctx); err != nil {
			return err
		}
		if _, err = s.Get(ctx, url); !errors.Is(err, aiohttp.ErrServerDisconnected) {
			t.Errorf("err = %v, want ErrServerDisconnected", err)
		}
		return nil
	}, noTimeout)
	mu.Lock()
	defer mu.Unlock()
	if requests != 3 {
		t.Errorf("server saw %d requests, want 3: the first, the second and its one retry", requests)
	}
}

// TestSessionFirstRequestNotRetried: a request on a new connection is
// never retried, even a GET: the failure is not a stale connection's.
func TestSessionFirstRequestNotRetried(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	url := rawServer(t, func(conn net.Conn, r *bufio.Reader, n int) {
		mu.Lock()
		conns++
		mu.Unlock()
		readRequest(r)
	})
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		if _, err := s.Get(ctx, url); !errors.Is(err, aiohttp.ErrServerDisconnected) {
			t.Errorf("err = %v, want ErrServerDisconnected", err)
		}
		return nil
	}, noTimeout)
	mu.Lock()
	defer mu.Unlock()
	if conns != 1 {
		t.Errorf("server saw %d connections, want 1", conns)
	}
}
