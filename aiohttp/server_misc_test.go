package aiohttp_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func TestServerServeNeedsTask(t *testing.T) {
	_, err := aiohttp.Serve(context.Background(), "127.0.0.1:0", http.NotFoundHandler())
	if !errors.Is(err, asyncio.ErrNoTask) {
		t.Errorf("Serve outside a task: %v, want ErrNoTask", err)
	}
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// Refused before anything listens: no socket file is made.
		_, err := aiohttp.Serve(ctx, "unix:workers.sock", http.NotFoundHandler(), aiohttp.Workers(2))
		if !errors.Is(err, aiohttp.ErrWorkersNotSupported) {
			t.Errorf("Workers(2) on a Unix socket: %v", err)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerHTTP10(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/stream" {
			io.WriteString(w, "a")
			http.NewResponseController(w).Flush()
		}
		io.WriteString(w, "b")
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body := c.response("GET")
		if resp == nil || body != "b" || resp.Close || resp.Header.Get("Connection") != "keep-alive" {
			t.Errorf("1.0 keep-alive: %+v %q", resp, body)
		}
		// A streamed response to HTTP/1.0 has no chunking: it ends with
		// the connection.
		c.send("GET /stream HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
		resp, body = c.response("GET")
		if resp == nil || body != "ab" || !resp.Close || resp.ContentLength != -1 {
			t.Errorf("1.0 stream: %+v %q", resp, body)
		}
		c2 := dialRaw(t, addr)
		defer c2.Close()
		c2.send("GET / HTTP/1.0\r\n\r\n")
		if resp, _ := c2.response("GET"); resp == nil || !resp.Close {
			t.Errorf("1.0 without keep-alive: %+v", resp)
		}
		if rest := c2.readAll(); rest != "" {
			t.Errorf("after a 1.0 response: %q", rest)
		}
	})
}

func TestServerUnreadBody(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ignored it") })
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		// A small unread body is dropped and the connection serves on.
		c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		for i := range 2 {
			resp, body := c.response("GET")
			if resp == nil || body != "ignored it" || resp.Close {
				t.Errorf("response %d: %+v %q", i, resp, body)
			}
		}
		// A large one closes the connection.
		c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n")
		if resp, _ := c.response("GET"); resp == nil || !resp.Close {
			t.Errorf("large unread body: %+v", resp)
		}
	})
}

func TestServerResponseFraming(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/nocontent":
			w.WriteHeader(http.StatusNoContent)
			if _, err := w.Write([]byte("x")); !errors.Is(err, http.ErrBodyNotAllowed) {
				t.Errorf("Write after 204: %v", err)
			}
		case "/declared":
			w.Header().Set("Content-Length", "3")
			if _, err := io.WriteString(w, "abcd"); !errors.Is(err, http.ErrContentLength) {
				t.Errorf("writing past Content-Length: %v", err)
			}
			io.WriteString(w, "abc")
		case "/html":
			io.WriteString(w, "<html><body>hi</body></html>")
		case "/frozen":
			w.WriteHeader(http.StatusTeapot)
			w.Header().Set("X-Late", "too late")
		}
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET /nocontent HTTP/1.1\r\nHost: x\r\n\r\nGET /declared HTTP/1.1\r\nHost: x\r\n\r\n" +
			"GET /html HTTP/1.1\r\nHost: x\r\n\r\nGET /frozen HTTP/1.1\r\nHost: x\r\n\r\n")
		if resp, body := c.response("GET"); resp == nil || resp.StatusCode != 204 || body != "" || resp.Header.Get("Content-Length") != "" {
			t.Errorf("204: %+v %q", resp, body)
		}
		if resp, body := c.response("GET"); resp == nil || body != "abc" || resp.ContentLength != 3 {
			t.Errorf("declared: %+v %q", resp, body)
		}
		if resp, _ := c.response("GET"); resp == nil || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("sniffed: %+v", resp)
		}
		if resp, _ := c.response("GET"); resp == nil || resp.StatusCode != 418 || resp.Header.Get("X-Late") != "" {
			t.Errorf("frozen head: %+v", resp)
		}
	})
}

func TestServerAccessLog(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		io.WriteString(w, "12345")
	})
	serveWith(t, h, []aiohttp.ServerOption{aiohttp.AccessLog(log)}, nil, func(addr string) {
		get(t, newClient(t), "http://"+addr+"/logged?x=1")
	})
	line := buf.String()
	for _, want := range []string{"method=GET", "path=/logged", "status=202", "bytes=5", "duration=", "remote=127.0.0.1:"} {
		if !strings.Contains(line, want) {
			t.Errorf("access log %q lacks %q", line, want)
		}
	}
}

func TestServerHandlerTimeout(t *testing.T) {
	var handlerErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlerErr = asyncio.Sleep(r.Context(), time.Hour)
	})
	serveWith(t, h, []aiohttp.ServerOption{aiohttp.HandlerTimeout(20 * time.Millisecond)}, nil, func(addr string) {
		resp, _ := get(t, newClient(t), "http://"+addr+"/")
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("timed-out handler: %+v", resp)
		}
	})
	if handlerErr == nil {
		t.Error("the handler's task was not cancelled")
	}
}

func TestServerReadDeadline(t *testing.T) {
	var readErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		if err := rc.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
			t.Error(err)
		}
		_, readErr = io.ReadAll(r.Body)
		if err := rc.EnableFullDuplex(); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusRequestTimeout)
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n01234")
		if resp, _ := c.response("POST"); resp == nil || resp.StatusCode != http.StatusRequestTimeout {
			t.Errorf("response %+v", resp)
		}
	})
	if !errors.Is(readErr, os.ErrDeadlineExceeded) {
		t.Errorf("read past the deadline: %v", readErr)
	}
}

func TestServerLimitsOptions(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	opts := []aiohttp.ServerOption{
		aiohttp.MaxHeaderBytes(1024), aiohttp.MaxHeaders(3), aiohttp.MaxLineBytes(200),
		aiohttp.WithSocketOptions(asyncio.Backlog(16)),
	}
	cases := []struct {
		name, req string
		code      int
	}{
		{"fits", "GET / HTTP/1.1\r\nHost: x\r\nA: b\r\n\r\n", 200},
		{"head too large", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("A: "+strings.Repeat("b", 150)+"\r\n", 3) + "\r\n", 431},
		{"too many headers", "GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", 431},
		{"line too long", "GET / HTTP/1.1\r\nHost: x\r\nA: " + strings.Repeat("b", 300) + "\r\n\r\n", 431},
		{"request line too long", "GET /" + strings.Repeat("a", 300) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
	}
	serveWith(t, h, opts, nil, func(addr string) {
		for _, tc := range cases {
			c := dialRaw(t, addr)
			c.send(tc.req)
			if resp, _ := c.response("GET"); resp == nil || resp.StatusCode != tc.code {
				t.Errorf("%s: %+v, want %d", tc.name, resp, tc.code)
			}
			c.Close()
		}
	})
}

// The task that called Serve may end: the server serves on, its requests'
// tasks spawned from the loop.
func TestServerOutlivesServingTask(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "still here") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := asyncio.Spawn(ctx, func(ctx context.Context) (*aiohttp.Server, error) {
			return aiohttp.Serve(ctx, "127.0.0.1:0", h)
		}).Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		got := make(chan string)
		go func() {
			_, body := get(t, newClient(t), "http://"+srv.Addr().String()+"/")
			got <- body
		}()
		if b, _, _ := asyncio.Recv(ctx, got); b != "still here" {
			t.Errorf("body %q", b)
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerWriteDeadline(t *testing.T) {
	var writeErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := http.NewResponseController(w)
		rc.SetWriteDeadline(time.Now().Add(30 * time.Millisecond))
		chunk := make([]byte, 64<<10)
		for writeErr == nil {
			_, writeErr = w.Write(chunk) // the client never reads
		}
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		// Once the handler gave up, the connection is aborted: a reset
		// is as good an end as EOF here.
		io.Copy(io.Discard, c.r)
	})
	if !errors.Is(writeErr, os.ErrDeadlineExceeded) {
		t.Errorf("write past the deadline: %v", writeErr)
	}
}

// The http.Request is what net/http's server would make of the same bytes.
func TestServerRequestLikeNetHTTP(t *testing.T) {
	heads := []string{
		"GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\nAccept: a\r\nAccept: b\r\nx-lower: v\r\n\r\n",
		"GET http://other.example/abs?q HTTP/1.1\r\nHost: example.com\r\n\r\n",
		"GET /%7Euser/a%2Fb HTTP/1.1\r\nHost: h\r\n\r\n",
		"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
		"DELETE /x? HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /cl HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc",
		"POST /te HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTrailer: X-A, x-b\r\n\r\n1\r\na\r\n0\r\nX-A: 1\r\n\r\n",
		"GET /ka HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
	}
	type seen struct {
		Method, Host, RequestURI, Proto, Path, RawPath, RawQuery string
		ForceQuery, Close                                        bool
		Header                                                   http.Header
		ContentLength                                            int64
		TransferEncoding                                         []string
		Trailer                                                  http.Header
	}
	var got []seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, seen{r.Method, r.Host, r.RequestURI, r.Proto, r.URL.Path, r.URL.RawPath, r.URL.RawQuery, r.URL.ForceQuery, r.Close, r.Header,
			r.ContentLength, r.TransferEncoding, r.Trailer.Clone()})
	})
	serve(t, h, func(addr string) {
		for _, head := range heads {
			c := dialRaw(t, addr)
			c.send(head)
			c.response("GET")
			c.Close()
		}
	})
	for i, head := range heads {
		want, err := http.ReadRequest(bufio.NewReader(strings.NewReader(head)))
		if err != nil {
			t.Errorf("net/http refuses %q: %v", head, err)
			continue
		}
		w := seen{want.Method, want.Host, want.RequestURI, want.Proto, want.URL.Path, want.URL.RawPath, want.URL.RawQuery, want.URL.ForceQuery, want.Close, want.Header,
			want.ContentLength, want.TransferEncoding, want.Trailer.Clone()}
		if i >= len(got) {
			t.Errorf("%q: not served", head)
			continue
		}
		if !reflect.DeepEqual(got[i], w) {
			t.Errorf("%q:\n got %+v\nwant %+v", head, got[i], w)
		}
	}
}

// Garbage and half-valid requests never break the server: each connection
// ends one way or another, and the server serves on.
func TestServerSurvivesGarbage(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "ok")
	})
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{
		"GET / HTTP/1.1\r\n", "POST /x HTTP/1.1\r\n", "Host: h\r\n", "Transfer-Encoding: chunked\r\n",
		"Content-Length: 5\r\n", "Content-Length: -1\r\n", "Expect: 100-continue\r\n", "\r\n", "\n",
		"5\r\nhello\r\n", "0\r\n\r\n", "zz\r\n", "ffffffffffffffffff\r\n", "Trailer: X\r\n", "X: y\r\n",
		"Connection: close\r\n", "\x00\x01\x7f", " ", "HTTP/1.0", "GET", "\r",
	}
	serve(t, h, func(addr string) {
		for range 200 {
			var b strings.Builder
			for range 1 + rng.IntN(12) {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
			c := dialRaw(t, addr)
			c.send(b.String())
			if tc, ok := c.Conn.(interface{ CloseWrite() error }); ok {
				tc.CloseWrite()
			}
			io.Copy(io.Discard, c.r) // whatever it answers, it must end
			c.Close()
		}
		if _, body := get(t, newClient(t), "http://"+addr+"/"); body != "ok" {
			t.Errorf("after the garbage: %q", body)
		}
	})
}

// Socket options reach the listening socket: with ReusePort, two servers
// share a port.
func TestServerReusePort(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		opt := aiohttp.WithSocketOptions(asyncio.ReusePort())
		a, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, opt)
		if err != nil {
			return struct{}{}, err
		}
		b, err := aiohttp.Serve(ctx, a.Addr().String(), h, opt)
		if err != nil {
			t.Errorf("second server on %v: %v", a.Addr(), err)
		} else {
			b.Close()
		}
		a.Close()
		return struct{}{}, a.Wait(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
