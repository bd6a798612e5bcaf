package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// An idle keep-alive connection holds no task and no read or write buffer
// beyond what the next response head needs.
func TestServerIdleConnectionHoldsNoBuffer(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		nc, err := net.Dial("tcp", srv.Addr().String())
		if err != nil {
			return struct{}{}, err
		}
		defer nc.Close()
		nc.SetDeadline(time.Now().Add(20 * time.Second))
		got := make(chan error)
		go func() {
			nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
			resp, err := http.ReadResponse(bufio.NewReader(nc), nil)
			if err == nil {
				_, err = io.ReadAll(resp.Body)
			}
			got <- err
		}()
		if err, _, _ := asyncio.Recv(ctx, got); err != nil {
			t.Fatal(err)
		}
		// The response is sent before the task ends: let it end.
		for range 10 {
			asyncio.Sleep(ctx, 0)
		}
		if len(srv.conns) != 1 {
			t.Fatalf("%d connections", len(srv.conns))
		}
		for c := range srv.conns {
			if c.state != stateIdle || c.task != nil || c.buf != nil || c.ex.body != nil {
				t.Errorf("idle connection: state %d, task %v, read buffer %d bytes", c.state, c.task, len(c.buf))
			}
			if n := cap(c.ex.resp.buf) + cap(c.ex.resp.head) + cap(c.ex.resp.keys)*16; n > 512 {
				t.Errorf("idle connection keeps %d bytes of write buffers", n)
			}
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
