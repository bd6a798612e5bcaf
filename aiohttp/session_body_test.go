package aiohttp_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// echoServer answers with what it understood of the request.
func echoServer(t *testing.T) *countingServer {
	return newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ct := r.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "multipart/form-data"):
			if err := r.ParseMultipartForm(1 << 20); err != nil {
				http.Error(w, err.Error(), 400)
				return
			}
			fmt.Fprintf(w, "field=%s", r.FormValue("field"))
			for _, name := range []string{"a", "b"} {
				f, h, err := r.FormFile(name)
				if err != nil {
					http.Error(w, err.Error(), 400)
					return
				}
				b, _ := io.ReadAll(f)
				fmt.Fprintf(w, " %s:%s(%s)=%s", name, h.Filename, h.Header.Get("Content-Type"), b)
			}
		case ct == "application/x-www-form-urlencoded":
			r.ParseForm()
			fmt.Fprintf(w, "form x=%s y=%s", r.PostForm.Get("x"), r.PostForm.Get("y"))
		default:
			b, _ := io.ReadAll(r.Body)
			fmt.Fprintf(w, "%s q=%s te=%v len=%d auth=%s body=%s", r.Method, r.URL.RawQuery, r.TransferEncoding, r.ContentLength, r.Header.Get("Authorization"), b)
		}
	}))
}

func TestSessionRequestBodies(t *testing.T) {
	srv := echoServer(t)
	big := strings.Repeat("z", 50000)
	tests := []struct {
		name   string
		method string
		opts   []aiohttp.RequestOption
		want   string
	}{
		{"Form", "POST", []aiohttp.RequestOption{aiohttp.Form(url.Values{"x": {"1"}, "y": {"two words"}})}, "form x=1 y=two words"},
		{"KnownLength", "PUT", []aiohttp.RequestOption{aiohttp.Body(strings.NewReader("abc"), "")}, "PUT q= te=[] len=3 auth= body=abc"},
		{"StreamedChunked", "PATCH", []aiohttp.RequestOption{aiohttp.Body(iotest.HalfReader(strings.NewReader(big)), "")}, "PATCH q= te=[chunked] len=-1 auth= body=" + big},
		{"ParamsAndBasicAuth", "DELETE", []aiohttp.RequestOption{aiohttp.Params(url.Values{"k": {"v w"}}), aiohttp.BasicAuth("u", "p")}, "DELETE q=k=v+w te=[] len=0 auth=Basic dTpw body="},
		{"Multipart", "POST", []aiohttp.RequestOption{aiohttp.Multipart(
			aiohttp.Part{Name: "field", Value: "value"},
			aiohttp.Part{Name: "a", Filename: "a.txt", ContentType: "text/plain", Reader: strings.NewReader("in memory")},
			aiohttp.Part{Name: "b", Filename: "b.bin", Reader: iotest.OneByteReader(strings.NewReader("one byte at a time"))},
		)}, "field=value a:a.txt(text/plain)=in memory b:b.bin(application/octet-stream)=one byte at a time"},
	}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for _, tt := range tests {
			resp, err := s.Request(ctx, tt.method, srv.URL, tt.opts...)
			if err != nil {
				return fmt.Errorf("%s: %w", tt.name, err)
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != tt.want {
				t.Errorf("%s:\n got %.200q\nwant %.200q", tt.name, got, tt.want)
			}
		}
		return nil
	})
}

func TestSessionExpectContinue(t *testing.T) {
	srv := echoServer(t)
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Post(ctx, srv.URL, aiohttp.Body(strings.NewReader("after 100"), "text/plain"),
			aiohttp.WithHeader("Expect", "100-continue"))
		if err != nil {
			return err
		}
		got, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		if want := "POST q= te=[] len=9 auth= body=after 100"; got != want {
			t.Errorf("got %q, want %q", got, want)
		}
		return nil
	})
}
