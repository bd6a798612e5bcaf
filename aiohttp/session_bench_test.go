package aiohttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
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
