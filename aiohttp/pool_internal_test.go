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

// TestSessionSlowReaderPausesConnection: a body nobody reads for a while
// stops its connection's reading once pauseAt bytes are buffered, and
// reading it resumes the connection.
func TestSessionSlowReaderPausesConnection(t *testing.T) {
	const size = 4 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4194304")
		chunk := make([]byte, 64<<10)
		for range size / len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := NewSession()
		defer s.Close(ctx)
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return struct{}{}, err
		}
		c := resp.raw.Body.(*responseBody).c
		// Let the loop take in what arrives, reading none of it, until
		// the connection pauses.
		for !c.paused {
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return struct{}{}, err
			}
			if n := c.w - c.r; n > 2*pauseAt || n == size {
				t.Fatalf("%d bytes buffered and reading not paused", n)
			}
		}
		n, err := io.Copy(io.Discard, resp.Reader(ctx))
		if err != nil || n != size {
			t.Errorf("read %d bytes, %v; want %d", n, err, size)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
