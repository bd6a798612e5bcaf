package aiohttp

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"unsafe"

	"github.com/asyncio-go/asyncio"
)

// TestSessionIdleConnectionHoldsNoBuffer: a connection back in the pool has
// given its read buffer back, so that what an idle connection costs is
// its small structures (the transport's, and this one's).
func TestSessionIdleConnectionHoldsNoBuffer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	defer srv.Close()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := NewSession()
		defer s.Close(ctx)
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return struct{}{}, err
		}
		if _, err := resp.Text(ctx); err != nil {
			return struct{}{}, err
		}
		n := 0
		for _, list := range s.pool.idle {
			for _, c := range list {
				n++
				if c.buf != nil {
					t.Errorf("idle connection holds a %d-byte buffer", len(*c.buf))
				}
			}
		}
		if n != 1 {
			t.Errorf("%d idle connections, want 1", n)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if size := unsafe.Sizeof(clientConn{}); size > 512 {
		t.Errorf("a conn is %d bytes", size)
	}
}
