package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionCloseLeavesNothing closes a session with one idle connection
// and one whose body is being read: both are gone when Close returns, the
// body's reader fails, and no task of the session is left.
func TestSessionCloseLeavesNothing(t *testing.T) {
	stop := make(chan struct{})
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/idle" {
			io.WriteString(w, "ok")
			return
		}
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, "partial")
		w.(http.Flusher).Flush()
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	defer close(stop)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		busy, err := s.Get(ctx, srv.URL+"/busy")
		if err != nil {
			return struct{}{}, err
		}
		// A second connection, since the first is busy; idle once read.
		resp, err := s.Get(ctx, srv.URL+"/idle")
		if err != nil {
			return struct{}{}, err
		}
		if _, err := resp.Text(ctx); err != nil {
			return struct{}{}, err
		}
		r := busy.Reader(ctx)
		buf := make([]byte, 7)
		if _, err := io.ReadFull(r, buf); err != nil {
			return struct{}{}, err
		}
		if err := s.Close(ctx); err != nil {
			return struct{}{}, err
		}
		if _, err := r.Read(buf); err == nil {
			t.Error("a body read after Close succeeded")
		}
		if _, err := s.Get(ctx, srv.URL+"/idle"); !errors.Is(err, aiohttp.ErrSessionClosed) {
			t.Errorf("request after Close: %v, want ErrSessionClosed", err)
		}
		if n := len(asyncio.AllTasks(ctx)); n != 1 {
			t.Errorf("%d tasks left after Close, want only main", n)
		}
		for range 2 {
			if _, _, err := asyncio.Recv(ctx, srv.closed); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSessionReleaseUnreadBodyClosesConnection(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100000))
	}))
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for range 2 {
			resp, err := s.Get(ctx, srv.URL)
			if err != nil {
				return err
			}
			resp.Release()
		}
		return nil
	})
	if opened, _ := srv.counts(); opened != 2 {
		t.Errorf("server saw %d connections, want 2: a released, unread body's connection was reused", opened)
	}
}
