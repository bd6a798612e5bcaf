package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
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

// The memory an idle keep-alive connection costs the server, measured as
// heap growth over many connections after each served one request: the
// bound is 4 KiB. The client's ends of the connections live in the
// same heap and are counted too, so the bound is checked with room.
func TestServerIdleConnectionMemory(t *testing.T) {
	const n = 200
	if asyncio.DefaultIOBackend() != asyncio.BackendPoller {
		// The portable backend's reader goroutines dominate there.
		t.Skip("the bound is for the poller backend")
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hi") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		// Warm the pools and the loop's tables with one connection.
		conns := make([]net.Conn, 0, n+1)
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		open := func(k int) error {
			done := make(chan error)
			go func() {
				var err error
				for range k {
					var nc net.Conn
					if nc, err = net.Dial("tcp", srv.Addr().String()); err != nil {
						break
					}
					conns = append(conns, nc)
					nc.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
					var resp *http.Response
					if resp, err = http.ReadResponse(bufio.NewReader(nc), nil); err != nil {
						break
					}
					io.ReadAll(resp.Body)
				}
				done <- err
			}()
			err, _, rerr := asyncio.Recv(ctx, done)
			if rerr != nil {
				return rerr
			}
			for range 10 {
				asyncio.Sleep(ctx, 0)
			}
			return err
		}
		if err := open(1); err != nil {
			return struct{}{}, err
		}
		before := heapInUse()
		if err := open(n); err != nil {
			return struct{}{}, err
		}
		per := (heapInUse() - before) / n
		t.Logf("heap per idle connection, both ends: %d bytes", per)
		if per > 4<<10 {
			t.Errorf("an idle connection costs %d bytes of heap", per)
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func heapInUse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}
