package aiohttp_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// BenchmarkServerHello measures a hello-world request over one kept-alive
// connection, the client a raw socket in a plain goroutine that writes a
// request and reads its response (one round trip per op). allocs/op counts
// the process's allocations, the client's few included; cpu-ns/op is the
// process's CPU time per op, the client's included, which is the same for
// the server of BenchmarkServerHelloNetHTTP.
func BenchmarkServerHello(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Hello, World!") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		done := make(chan error, 1)
		go func() { done <- helloClient(b, srv.Addr().String()) }()
		err, _, rerr := asyncio.Recv(ctx, done)
		if rerr != nil {
			return struct{}{}, rerr
		}
		if err != nil {
			return struct{}{}, err
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
}

func helloClient(b *testing.B, addr string) error {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	req := []byte("GET /hello HTTP/1.1\r\nHost: bench\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 4096)
	// The response's size is fixed but for nothing: read one to learn it.
	read := func() (int, error) { return c.Read(buf) }
	if _, err := c.Write(req); err != nil {
		return err
	}
	size, err := read()
	if err != nil {
		return err
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	defer func() { b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op") }()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			return err
		}
		for got := 0; got < size; {
			n, err := read()
			if err != nil {
				return err
			}
			got += n
		}
	}
	return nil
}

// BenchmarkServerHelloNetHTTP is BenchmarkServerHello against net/http's
// server, for reference.
func BenchmarkServerHelloNetHTTP(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Hello, World!") })
	srv := httptest.NewServer(h)
	defer srv.Close()
	if err := helloClient(b, srv.Listener.Addr().String()); err != nil {
		b.Fatal(err)
	}
}
