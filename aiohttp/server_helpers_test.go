package aiohttp_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// serveWith runs a server for h in asyncio.Run and calls client in a plain
// goroutine with its address; the loop waits for client through a channel,
// then shuts the server down. loopOpts configure the loop.
func serveWith(t *testing.T, h http.Handler, opts []aiohttp.ServerOption, loopOpts []asyncio.Option, client func(addr string)) {
	t.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, opts...)
		if err != nil {
			return struct{}{}, err
		}
		done := make(chan struct{})
		go func() {
			defer close(done)
			client(srv.Addr().String())
		}()
		if _, _, err := asyncio.Recv(ctx, done); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, srv.Shutdown(ctx)
	}, loopOpts...)
	if err != nil {
		t.Fatal(err)
	}
}

// serve is serveWith with default options.
func serve(t *testing.T, h http.Handler, client func(addr string)) {
	t.Helper()
	serveWith(t, h, nil, nil, client)
}

// newClient returns a net/http client of its own, whose idle connections
// the test closes at its end.
func newClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}
}

// get fetches url and returns the response with its body read.
func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Error(err)
		return nil, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Error(err)
	}
	return resp, string(b)
}

// rawConn is a raw TCP connection for wire-level checks.
type rawConn struct {
	t *testing.T
	net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, addr string) *rawConn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{t, c, bufio.NewReader(c)}
}

func (c *rawConn) send(s string) {
	if _, err := io.WriteString(c.Conn, s); err != nil {
		c.t.Error(err)
	}
}

// response reads one response; method is the request's.
func (c *rawConn) response(method string) (*http.Response, string) {
	resp, err := http.ReadResponse(c.r, &http.Request{Method: method})
	if err != nil {
		c.t.Errorf("reading response: %v", err)
		return nil, ""
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Errorf("reading body: %v", err)
	}
	return resp, string(b)
}

// readAll reads until the server closes the connection.
func (c *rawConn) readAll() string {
	b, err := io.ReadAll(c.r)
	if err != nil {
		c.t.Errorf("reading to EOF: %v", err)
	}
	return string(b)
}

// statusLine returns the first line the server sends.
func (c *rawConn) statusLine() string {
	line, err := c.r.ReadString('\n')
	if err != nil {
		c.t.Errorf("reading status line: %v", err)
	}
	return strings.TrimRight(line, "\r\n")
}

type textprotoHeader = textproto.MIMEHeader

// recvCtx receives from ch as a wait of the request's task.
func recvCtx[T any](r *http.Request, ch <-chan T) (T, bool, error) {
	return asyncio.Recv(r.Context(), ch)
}
