package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// TestSessionIdleConnectionLeavesPoolOnEOF: a server that closes an idle
// keep-alive connection (here its sending side only, so that it sees the
// client close in turn) takes it out of the pool at once, not when the
// next request finds it dead or its keep-alive timer fires.
func TestSessionIdleConnectionLeavesPoolOnEOF(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// clientClosed is closed by the server's goroutine once the client
	// closed its end; the goroutine ends then, or at an error.
	clientClosed := make(chan struct{})
	go func() {
		defer close(clientClosed)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		r := bufio.NewReader(conn)
		if _, err := http.ReadRequest(r); err != nil {
			return
		}
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok")
		conn.(*net.TCPConn).CloseWrite()
		io.Copy(io.Discard, r)
	}()
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := NewSession()
		defer s.Close(ctx)
		resp, err := s.Get(ctx, "http://"+ln.Addr().String())
		if err != nil {
			return struct{}{}, err
		}
		if _, err := resp.Text(ctx); err != nil {
			return struct{}{}, err
		}
		// The client closes its end as it loses the connection, in
		// the same step: once the server has seen that, the pool must
		// have let go.
		if _, err := asyncio.ToThread(ctx, func() (struct{}, error) { <-clientClosed; return struct{}{}, nil }); err != nil {
			return struct{}{}, err
		}
		if s.pool.total != 0 || len(s.pool.all) != 0 || len(s.pool.idle[idleKey(s)]) != 0 {
			t.Errorf("pool still counts %d connections (%d idle) after the server closed", s.pool.total, len(s.pool.idle[idleKey(s)]))
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// idleKey returns the key of the session's only idle list, or "".
func idleKey(s *Session) string {
	for k := range s.pool.idle {
		return k
	}
	return ""
}
