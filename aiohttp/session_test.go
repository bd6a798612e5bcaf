package aiohttp_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// countingServer is an httptest server that counts the connections it
// accepted and has open.
type countingServer struct {
	*httptest.Server
	mu      sync.Mutex
	opened  int
	active  int
	maxOpen int
	// closed receives a value each time a connection closes.
	closed chan struct{}
}

func newCountingServer(t *testing.T, h http.Handler) *countingServer {
	cs := &countingServer{closed: make(chan struct{}, 100)}
	cs.Server = httptest.NewUnstartedServer(h)
	cs.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		cs.mu.Lock()
		defer cs.mu.Unlock()
		switch st {
		case http.StateNew:
			cs.opened++
			cs.active++
			cs.maxOpen = max(cs.maxOpen, cs.active)
		case http.StateClosed, http.StateHijacked:
			cs.active--
			cs.closed <- struct{}{}
		}
	}
	cs.Start()
	t.Cleanup(cs.Close)
	return cs
}

func (cs *countingServer) counts() (opened, maxOpen int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return cs.opened, cs.maxOpen
}

// run runs body as the main task of a new loop with a session that is
// closed at the end.
func run(t *testing.T, body func(ctx context.Context, s *aiohttp.Session) error, opts ...aiohttp.SessionOption) {
	t.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession(opts...)
		err := body(ctx, s)
		if cerr := s.Close(ctx); err == nil {
			err = cerr
		}
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSessionGetText(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello "+r.Method+" "+r.URL.RequestURI())
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, srv.URL+"/a?b=c")
		if err != nil {
			return err
		}
		if resp.StatusCode != 200 || resp.Proto != "HTTP/1.1" {
			t.Errorf("status %d %s", resp.StatusCode, resp.Proto)
		}
		text, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		if text != "hello GET /a?b=c" {
			t.Errorf("text = %q", text)
		}
		return nil
	})
}

func TestSessionPostJSON(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var in map[string]int
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "bad json", 400)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]int{"sum": in["a"] + in["b"]})
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Post(ctx, srv.URL, aiohttp.JSONBody(map[string]int{"a": 2, "b": 3}))
		if err != nil {
			return err
		}
		if err := resp.RaiseForStatus(); err != nil {
			return err
		}
		var out map[string]int
		if err := resp.JSON(ctx, &out); err != nil {
			return err
		}
		if out["sum"] != 5 {
			t.Errorf("sum = %d, want 5", out["sum"])
		}
		return nil
	})
}

// TestSessionPortableBackend runs requests on the portable I/O backend,
// which copies into the connection's buffer instead of reading into it.
func TestSessionPortableBackend(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for range 3 {
			io.WriteString(w, strings.Repeat("p", 10000))
			w.(http.Flusher).Flush()
		}
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		for range 2 {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return struct{}{}, err
			}
			text, err := resp.Text(ctx)
			if err != nil {
				return struct{}{}, err
			}
			if text != strings.Repeat("p", 30000) {
				t.Errorf("body of %d bytes", len(text))
			}
		}
		return struct{}{}, nil
	}, asyncio.WithIOBackend(asyncio.BackendPortable))
	if err != nil {
		t.Fatal(err)
	}
	if opened, _ := srv.counts(); opened != 1 {
		t.Errorf("%d connections, want 1", opened)
	}
}
