package aiohttp_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestResponseTextCharset: Text decodes the body from the charset of its
// Content-Type, and takes it as UTF-8 without one or with one unknown.
func TestResponseTextCharset(t *testing.T) {
	tests := []struct {
		ctype string
		body  []byte
		want  string
	}{
		{"text/plain; charset=iso-8859-1", []byte("caf\xe9 \xa3"), "café £"},
		{`text/html; charset="Latin1"`, []byte("na\xefve"), "naïve"},
		{"text/plain; charset=shift_jis", []byte("\x93\xfa\x96\x7b"), "日本"},
		{"text/plain; charset=utf-8", []byte("café"), "café"},
		{"text/plain", []byte("café"), "café"},
		{"application/json", []byte(`"café"`), `"café"`},
		{"text/plain; charset=no-such-charset", []byte("café"), "café"},
		// UTF-8 comes back as it came, invalid bytes and all.
		{"text/plain; charset=utf-8", []byte("caf\xe9"), "caf\xe9"},
	}
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i, _ := strconv.Atoi(r.URL.Query().Get("i"))
		tt := tests[i]
		w.Header().Set("Content-Type", tt.ctype)
		w.Write(tt.body)
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for i, tt := range tests {
			resp, err := s.Get(ctx, srv.URL+"/?i="+strconv.Itoa(i))
			if err != nil {
				return err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != tt.want {
				t.Errorf("%s: Text = %q, want %q", tt.ctype, got, tt.want)
			}
		}
		return nil
	})
}
