package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// A handler writing more than the client reads is suspended by the
// transport's flow control, not the loop: another connection is served
// meanwhile, and every byte arrives once the client reads.
func TestServerWriteBackpressure(t *testing.T) {
	const size = 16 << 20
	chunk := bytes.Repeat([]byte("x"), 64<<10)
	var writeErr error
	written, writtenThen := 0, 0
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/big" {
			writtenThen = written
			io.WriteString(w, "small")
			return
		}
		for written < size && writeErr == nil {
			_, writeErr = w.Write(chunk)
			written += len(chunk)
		}
	})
	serve(t, h, func(addr string) {
		big := dialRaw(t, addr)
		defer big.Close()
		big.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		// The big response fills the socket buffers and stalls; a
		// second connection is served all the same.
		small := dialRaw(t, addr)
		defer small.Close()
		small.send("GET /small HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, body := small.response("GET"); body != "small" {
			t.Errorf("second connection: %q", body)
		}
		resp, body := big.response("GET")
		if resp == nil || len(body) != size {
			t.Errorf("big response: %d bytes, want %d", len(body), size)
		}
	})
	if writeErr != nil {
		t.Errorf("Write: %v", writeErr)
	}
	// Without flow control the handler would have written everything
	// into the transport's buffer at once.
	if writtenThen >= size {
		t.Errorf("the big handler had written all %d bytes before the client read any", writtenThen)
	}
}

// Many pipelined requests, more than the server buffers, are all served in
// order: the server stops reading and goes on once it has caught up.
func TestServerPipelineFlood(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		const n = 3000 // about 150 KB of heads
		var reqs strings.Builder
		for i := range n {
			fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\nX-Padding: %s\r\n\r\n", i, strings.Repeat("p", 20))
		}
		go c.send(reqs.String())
		for i := range n {
			if _, body := c.response("GET"); body != fmt.Sprintf("/%d", i) {
				t.Errorf("response %d: %q", i, body)
				return
			}
		}
	})
}

// Shutdown from a plain goroutine blocks that goroutine until done.
func TestServerShutdownFromGoroutine(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		done := make(chan error)
		go func() {
			_, body := get(t, newClient(t), "http://"+srv.Addr().String()+"/")
			if body != "ok" {
				t.Errorf("body %q", body)
			}
			done <- srv.Shutdown(context.Background())
		}()
		if err, _, _ := asyncio.Recv(ctx, done); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		return struct{}{}, srv.Wait(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A Threaded handler hijacks, and uses the connection from its goroutine.
func TestServerThreadedHijack(t *testing.T) {
	h := aiohttp.Threaded(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		line, err := rw.ReadString('\n')
		if err != nil {
			t.Error(err)
			return
		}
		if _, err := conn.Write([]byte("got " + line)); err != nil {
			t.Error(err)
		}
	}))
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		c.send("ping\n")
		if got := c.readAll(); got != "got ping\n" {
			t.Errorf("got %q", got)
		}
	})
}

// An idle keep-alive connection is closed after KeepAliveTimeout of the
// loop's clock, counted from its last response.
func TestServerKeepAliveTimeoutVirtualClock(t *testing.T) {
	clock := asyncio.NewVirtualClock()
	clock.SetAutoJump(false)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.KeepAliveTimeout(75*time.Second))
		if err != nil {
			return struct{}{}, err
		}
		step := make(chan string)
		next := make(chan struct{}, 1) // buffered: the loop never blocks on it
		go func() {
			c := dialRaw(t, srv.Addr().String())
			defer c.Close()
			for _, path := range []string{"/1", "/2"} {
				c.send("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n")
				_, body := c.response("GET")
				step <- body
				<-next
			}
			step <- "closed:" + c.readAll()
		}()
		expect := func(want string) {
			if got, _, _ := asyncio.Recv(ctx, step); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		}
		expect("/1")
		clock.Advance(30 * time.Second) // idle, but not for long enough
		next <- struct{}{}
		expect("/2") // served: the connection was still open
		clock.Advance(80 * time.Second)
		next <- struct{}{}
		expect("closed:")
		return struct{}{}, srv.Shutdown(ctx)
	}, asyncio.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
}

// A hijacked connection's read deadline runs on the loop's timers.
func TestServerHijackReadDeadline(t *testing.T) {
	var readErr error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		conn.SetReadDeadline(time.Now().Add(20 * time.Millisecond))
		_, readErr = conn.Read(make([]byte, 10))
		conn.Write([]byte("timed out\n"))
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if got := c.readAll(); got != "timed out\n" {
			t.Errorf("got %q", got)
		}
	})
	var ne net.Error
	if !errors.As(readErr, &ne) || !ne.Timeout() {
		t.Errorf("read past the deadline: %v", readErr)
	}
}

// A Threaded handler's panic is a handler's panic: 500, reported, served on.
func TestServerThreadedPanic(t *testing.T) {
	var reported []error
	h := aiohttp.Threaded(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/panic" {
			panic("threaded boom")
		}
		io.WriteString(w, "fine")
	}))
	loopOpts := []asyncio.Option{asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		reported = append(reported, c.Err)
	})}
	serveWith(t, h, nil, loopOpts, func(addr string) {
		c := newClient(t)
		if resp, _ := get(t, c, "http://"+addr+"/panic"); resp == nil || resp.StatusCode != 500 {
			t.Errorf("panic: %+v", resp)
		}
		if _, body := get(t, c, "http://"+addr+"/"); body != "fine" {
			t.Errorf("after the panic: %q", body)
		}
	})
	var pe *asyncio.PanicError
	if len(reported) != 1 || !errors.As(reported[0], &pe) || pe.Value != "threaded boom" {
		t.Errorf("reported %v", reported)
	}
}

// HandlerTimeout ends a Threaded handler's ctx; the request's task waits
// for the handler to return before it answers.
func TestServerThreadedHandlerTimeout(t *testing.T) {
	var returned atomic.Bool // the handler's goroutine and the client's share it
	h := aiohttp.Threaded(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
		returned.Store(true)
	}))
	opts := []aiohttp.ServerOption{aiohttp.HandlerTimeout(20 * time.Millisecond)}
	serveWith(t, h, opts, nil, func(addr string) {
		resp, _ := get(t, newClient(t), "http://"+addr+"/")
		if resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("response %+v", resp)
		}
		if !returned.Load() {
			t.Error("answered before the handler returned")
		}
	})
}
