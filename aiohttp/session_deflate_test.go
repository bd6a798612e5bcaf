package aiohttp_test

import (
	"compress/flate"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionDeflate: "Content-Encoding: deflate" is the zlib format, as
// aiohttp's and most servers send it; raw deflate data, which some
// servers send under that name, is decoded too.
func TestSessionDeflate(t *testing.T) {
	want := strings.Repeat("deflated ", 500)
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "deflate")
		var z io.WriteCloser
		switch r.URL.Query().Get("format") {
		case "zlib":
			z = zlib.NewWriter(w)
		case "raw":
			z, _ = flate.NewWriter(w, flate.DefaultCompression)
		}
		io.WriteString(z, want)
		z.Close()
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, format := range []string{"zlib", "raw"} {
			got, err := text(ctx, s, srv.URL+"?format="+format)
			if err != nil {
				return err
			}
			if got != want {
				t.Errorf("%s: got %d bytes %.30q..., want %d", format, len(got), got, len(want))
			}
		}
		return nil
	}, aiohttp.Timeout(aiohttp.ClientTimeout{}))
}
