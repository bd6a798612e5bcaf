package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// stallServer answers nothing until the test ends, but "/ok".
func stallServer(t *testing.T) (srv *countingServer, arrived chan struct{}) {
	stop := make(chan struct{})
	arrived = make(chan struct{}, 10)
	srv = newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			io.WriteString(w, "ok")
			return
		}
		arrived <- struct{}{}
		w.Header().Set("Content-Length", "10")
		if r.URL.Path == "/body" {
			io.WriteString(w, "12345")
			w.(http.Flusher).Flush()
		}
		// The server notices a client that left while the handler
		// runs, and then closes the connection.
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(stop) }) // runs before srv.Close
	return srv, arrived
}

func TestSessionTimeoutSockRead(t *testing.T) {
	srv, _ := stallServer(t)
	for _, path := range []string{"/head", "/body"} {
		t.Run(path, func(t *testing.T) {
			_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
				s := aiohttp.NewSession(aiohttp.Timeout(aiohttp.ClientTimeout{SockRead: time.Hour}))
				defer s.Close(ctx)
				resp, err := s.Get(ctx, srv.URL+path)
				if err == nil {
					_, err = resp.Bytes(ctx)
				}
				return struct{}{}, err
			}, asyncio.WithClock(asyncio.NewVirtualClock()))
			var te *aiohttp.TimeoutError
			if !errors.As(err, &te) || te.Kind != "sock_read" || !errors.Is(err, asyncio.ErrTimeout) || !errors.Is(err, aiohttp.ErrTimeout) {
				t.Fatalf("err = %v, want a sock_read timeout", err)
			}
		})
	}
}

func TestSessionTimeoutTotalPerRequest(t *testing.T) {
	srv, _ := stallServer(t)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		start := asyncio.RunningLoop(ctx).Time()
		_, err := s.Get(ctx, srv.URL, aiohttp.Timeout(aiohttp.ClientTimeout{Total: 90 * time.Second}))
		if d := asyncio.RunningLoop(ctx).Time() - start; d != 90*time.Second {
			t.Errorf("timed out after %v of loop time, want 90s", d)
		}
		return struct{}{}, err
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	var te *aiohttp.TimeoutError
	if !errors.As(err, &te) || te.Kind != "total" {
		t.Fatalf("err = %v, want a total timeout", err)
	}
}

func TestSessionCancelAbortsConnection(t *testing.T) {
	srv, arrived := stallServer(t)
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		req := asyncio.Spawn(ctx, func(ctx context.Context) (*aiohttp.Response, error) {
			return s.Get(ctx, srv.URL)
		})
		// Cancel once the server has the request: the connection is
		// aborted, which the server sees, and not reused.
		if _, _, err := asyncio.Recv(ctx, arrived); err != nil {
			return err
		}
		req.Cancel()
		if _, err := req.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled request returned %v", err)
		}
		if _, _, err := asyncio.Recv(ctx, srv.closed); err != nil {
			return err
		}
		resp, err := s.Get(ctx, srv.URL+"/ok")
		if err != nil {
			return err
		}
		resp.Release()
		if opened, _ := srv.counts(); opened != 2 {
			t.Errorf("server saw %d connections, want 2: the cancelled one was reused", opened)
		}
		return nil
	})
}
