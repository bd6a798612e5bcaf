package aiohttp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// TestSessionPoolWaitersFirstComeFirstServed: with one connection for 50
// requests at once, each freed connection goes to the request that has
// waited longest, and wakes it alone: every waiter queues once, where
// waking every waiter at each release would make each queue again and
// again (work in proportion to the waiters at every release).
func TestSessionPoolWaitersFirstComeFirstServed(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.URL.Path)
	}))
	const n = 50
	queued := 0
	trace := &aiohttp.TraceConfig{ConnectionQueuedStart: func(context.Context) { queued++ }}
	var order []int
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		tasks := make([]*asyncio.Task[struct{}], n)
		for i := range tasks {
			tasks[i] = asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				resp, err := s.Get(ctx, srv.URL+"/"+string(rune('A'+i%26)))
				if err != nil {
					return struct{}{}, err
				}
				order = append(order, i)
				_, err = resp.Bytes(ctx)
				return struct{}{}, err
			})
		}
		for _, task := range tasks {
			if _, err := task.Wait(ctx); err != nil {
				return err
			}
		}
		return nil
	}, aiohttp.Limit(1), noTimeout, aiohttp.TraceConfigs(trace))
	if queued != n-1 {
		t.Errorf("requests queued %d times, want %d: once each but the first", queued, n-1)
	}
	for i, got := range order {
		if got != i {
			t.Fatalf("responses in order %v, want the order of the requests", order)
		}
	}
	if opened, _ := srv.counts(); opened != 1 {
		t.Errorf("server saw %d connections, want 1", opened)
	}
}

// TestSessionTimeoutPool: Pool bounds the wait for a free connection
// alone, and reports it as such, while Connect, longer, does not expire.
func TestSessionTimeoutPool(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("x", 100))
	}))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession(aiohttp.Limit(1), noTimeout)
		defer s.Close(ctx)
		held, err := s.Get(ctx, srv.URL)
		if err != nil {
			return struct{}{}, err
		}
		defer held.Release()
		l := asyncio.RunningLoop(ctx)
		start := l.Time()
		_, err = s.Get(ctx, srv.URL, aiohttp.Timeout(aiohttp.ClientTimeout{Pool: 2 * time.Second, Connect: time.Hour}))
		var te *aiohttp.TimeoutError
		if !errors.As(err, &te) || te.Kind != "pool" || !errors.Is(err, aiohttp.ErrTimeout) {
			t.Errorf("err = %v, want a pool timeout", err)
		}
		if d := l.Time() - start; d != 2*time.Second {
			t.Errorf("waited %v, want 2s", d)
		}
		// A waiter that timed out left the line: the connection, once
		// free, serves the next request at once.
		held.Release()
		resp, err := s.Get(ctx, srv.URL, aiohttp.Timeout(aiohttp.ClientTimeout{Pool: time.Second}))
		if err != nil {
			return struct{}{}, err
		}
		resp.Release()
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}

// TestSessionWaitsForRoomBeforeStarting: with the pool full, a request
// waits before it starts (no RequestStart yet), and starts once a
// connection is free.
func TestSessionWaitsForRoomBeforeStarting(t *testing.T) {
	srv := newCountingServer(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "ok")
	}))
	started := 0
	trace := &aiohttp.TraceConfig{RequestStart: func(context.Context, *http.Request) { started++ }}
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		held, err := s.Get(ctx, srv.URL)
		if err != nil {
			return err
		}
		second := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			resp, err := s.Get(ctx, srv.URL+"/second")
			if err != nil {
				return "", err
			}
			return resp.Text(ctx)
		})
		for range 10 {
			asyncio.Sleep(ctx, 0)
		}
		if started != 1 {
			t.Errorf("%d requests started with the only connection in use, want 1", started)
		}
		if _, err := held.Bytes(ctx); err != nil {
			return err
		}
		got, err := second.Wait(ctx)
		if err != nil || got != "ok" || started != 2 {
			t.Errorf("second request: %q, %v, %d started", got, err, started)
		}
		return nil
	}, aiohttp.Limit(1), aiohttp.TraceConfigs(trace))
}
