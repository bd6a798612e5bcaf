package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// BenchmarkSessionSequentialGet is one task making GET after GET over one
// keep-alive connection to a local net/http server.
func BenchmarkSessionSequentialGet(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	b.ReportAllocs()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		buf := make([]byte, 16)
		for b.Loop() {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return struct{}{}, err
			}
			if _, err := io.ReadFull(resp.Reader(ctx), buf[:2]); err != nil {
				return struct{}{}, err
			}
			resp.Release()
		}
		return struct{}{}, nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNetHTTPSequentialGet is the same with net/http's client, for
// comparison.
func BenchmarkNetHTTPSequentialGet(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	b.ReportAllocs()
	buf := make([]byte, 16)
	for b.Loop() {
		resp, err := c.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(resp.Body, buf[:2]); err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
	}
}

// concurrentTasks is how many tasks (goroutines for net/http) the
// concurrent benchmarks run at once, as bench/run.sh http-client does.
const concurrentTasks = 100

// helloServer is a net/http server answering "Hello, World!".
func helloServer() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, World!")
	}))
}

// BenchmarkSessionConcurrentGet is 100 tasks on one loop sharing one
// Session, each making GET after GET over the pool to a local net/http
// server until b.N requests are done. One op is one request.
func BenchmarkSessionConcurrentGet(b *testing.B) {
	srv := helloServer()
	defer srv.Close()
	b.ReportAllocs()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		left := b.N // the tasks take turns on the loop: no lock
		get := func(ctx context.Context) error {
			for left > 0 {
				left--
				resp, err := s.Get(ctx, srv.URL)
				if err != nil {
					return err
				}
				body, err := resp.Bytes(ctx)
				if err != nil {
					return err
				}
				if len(body) != 13 {
					return fmt.Errorf("body %q", body)
				}
			}
			return nil
		}
		b.ResetTimer()
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			for range concurrentTasks {
				g.Go(get)
			}
			return nil
		})
		b.StopTimer()
		return struct{}{}, err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkNetHTTPConcurrentGet is BenchmarkSessionConcurrentGet with
// net/http's client and 100 goroutines, its pool sized for them as
// bench/peers/gostd does.
func BenchmarkNetHTTPConcurrentGet(b *testing.B) {
	srv := helloServer()
	defer srv.Close()
	tr := &http.Transport{MaxIdleConns: concurrentTasks, MaxIdleConnsPerHost: concurrentTasks}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	b.ReportAllocs()
	var left atomic.Int64
	left.Store(int64(b.N))
	errs := make(chan error, concurrentTasks)
	b.ResetTimer()
	for range concurrentTasks {
		go func() {
			for left.Add(-1) >= 0 {
				resp, err := c.Get(srv.URL)
				if err != nil {
					errs <- err
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				if err == nil && len(body) != 13 {
					err = fmt.Errorf("body %q", body)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range concurrentTasks {
		if err := <-errs; err != nil {
			b.Error(err)
		}
	}
}
