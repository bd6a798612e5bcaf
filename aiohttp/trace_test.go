package aiohttp_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

func TestSessionTraceRedirectAndException(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/from" {
			http.Redirect(w, r, "/to", http.StatusFound)
			return
		}
		io.WriteString(w, "ok")
	}))
	// An address nothing listens on.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String() + "/"
	ln.Close()
	var events []string
	trace := &aiohttp.TraceConfig{
		RequestStart: func(_ context.Context, r *http.Request) { events = append(events, "start "+r.URL.Path) },
		RequestEnd: func(_ context.Context, r *http.Request, resp *http.Response) {
			events = append(events, "end "+resp.Status)
		},
		RequestRedirect: func(_ context.Context, r *http.Request, via []*http.Request) {
			events = append(events, "redirect "+via[len(via)-1].URL.Path+" to "+r.URL.Path)
		},
		RequestException:      func(_ context.Context, r *http.Request, err error) { events = append(events, "exception") },
		ConnectionCreateStart: func(context.Context) { events = append(events, "connect") },
		ConnectionReuse:       func(context.Context) { events = append(events, "reuse") },
	}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, srv.URL+"/from")
		if err != nil {
			return err
		}
		if _, err := resp.Text(ctx); err != nil {
			return err
		}
		if _, err := s.Get(ctx, refused); err == nil {
			t.Error("a request to a closed port succeeded")
		}
		return nil
	}, aiohttp.TraceConfigs(trace))
	want := "start /from,connect,end 302 Found,redirect /from to /to,start /to,reuse,end 200 OK,start /,connect,exception"
	if got := strings.Join(events, ","); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
}
