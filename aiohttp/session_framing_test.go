package aiohttp_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// rawResponse is a handler that writes resp as it is on the hijacked
// connection, then closes it.
func rawResponse(resp string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			panic(err)
		}
		buf.WriteString(resp)
		buf.Flush()
		conn.Close()
	}
}

func TestSessionBodyFraming(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 10000) // 160 KB: many reads
	tests := []struct {
		name, method string
		h            http.HandlerFunc
		status       int
		body         string
		length       int64
	}{
		{"ContentLength", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5")
			io.WriteString(w, "hello")
		}, 200, "hello", 5},
		{"ContentLengthBig", "GET", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, big) // net/http chunks it: over its buffer
		}, 200, big, -1},
		{"Chunked", "GET", func(w http.ResponseWriter, r *http.Request) {
			for _, s := range []string{"one ", "two ", "three"} {
				io.WriteString(w, s)
				w.(http.Flusher).Flush()
			}
		}, 200, "one two three", -1},
		{"UntilClose", "GET", rawResponse("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nto the end"), 200, "to the end", -1},
		{"UntilCloseHTTP11", "GET", rawResponse("HTTP/1.1 200 OK\r\n\r\n" + big), 200, big, -1},
		{"Head", "HEAD", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1234")
		}, 200, "", 1234},
		{"NoContent", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(204)
		}, 204, "", 0},
		{"NotModified", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(304)
		}, 304, "", 0},
		{"Interim1xx", "GET", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Link", "</style.css>; rel=preload")
			w.WriteHeader(103)
			io.WriteString(w, "after early hints")
		}, 200, "after early hints", 17},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newCountingServer(t, tt.h)
			run(t, func(ctx context.Context, s *aiohttp.Session) error {
				// Twice: a body read to its end leaves the connection
				// fit for the next request.
				for range 2 {
					resp, err := s.Request(ctx, tt.method, srv.URL)
					if err != nil {
						return err
					}
					if resp.StatusCode != tt.status || resp.ContentLength != tt.length {
						t.Errorf("status %d, length %d; want %d, %d", resp.StatusCode, resp.ContentLength, tt.status, tt.length)
					}
					body, err := resp.Text(ctx)
					if err != nil {
						return err
					}
					if body != tt.body {
						t.Errorf("body %d bytes %.20q, want %d bytes %.20q", len(body), body, len(tt.body), tt.body)
					}
				}
				return nil
			})
		})
	}
}

func TestSessionChunksAndTrailer(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Sum")
		for _, s := range []string{"a", "bb", "ccc"} {
			io.WriteString(w, s)
			w.(http.Flusher).Flush()
		}
		w.Header().Set("X-Sum", "6")
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, srv.URL)
		if err != nil {
			return err
		}
		var got strings.Builder
		for chunk, err := range resp.Chunks(ctx) {
			if err != nil {
				return err
			}
			got.Write(chunk)
		}
		if got.String() != "abbccc" {
			t.Errorf("chunks %q", got.String())
		}
		if tr := resp.Trailer().Get("X-Sum"); tr != "6" {
			t.Errorf("trailer X-Sum = %q, want 6", tr)
		}
		return nil
	})
}
