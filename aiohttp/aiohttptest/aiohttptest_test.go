package aiohttptest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/aiohttptest"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// sleeper answers after sleeping for its "d" query parameter on the
// loop's clock.
var sleeper = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := asyncio.Sleep(r.Context(), d); err != nil {
		return
	}
	fmt.Fprintf(w, "slept %v", d)
})

// get sends a GET with s and returns the status and body.
func get(ctx context.Context, s *aiohttp.Session, url string, opts ...aiohttp.RequestOption) (int, string, error) {
	resp, err := s.Get(ctx, url, opts...)
	if err != nil {
		return 0, "", err
	}
	defer resp.Release()
	body, err := resp.Text(ctx)
	return resp.StatusCode, body, err
}

// TestHandlerSleepsAnHour: a handler that sleeps an hour answers, an
// hour later on the loop's clock to the nanosecond (and in a moment of
// real time).
func TestHandlerSleepsAnHour(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		srv := aiohttptest.NewServer(ctx, sleeper)
		defer srv.Close(ctx)
		loop := asyncio.RunningLoop(ctx)
		// The session's default total timeout, 5 minutes, is aiohttp's:
		// a test of a long request says how long it may take.
		status, body, err := get(ctx, srv.Session(), srv.URL+"/?d=1h", aiohttp.Timeout(aiohttp.ClientTimeout{Total: 2 * time.Hour}))
		if err != nil {
			return err
		}
		if status != 200 || body != "slept 1h0m0s" {
			t.Errorf("got %d %q", status, body)
		}
		if got := loop.Time(); got != time.Hour {
			t.Errorf("answered at %v, want 1h", got)
		}
		return nil
	})
}

// TestClientTimeout: a session's total timeout against a slower handler
// fires at its exact instant, and the handler's ctx is cancelled then.
func TestClientTimeout(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		handlerDone := asyncio.NewFuture[time.Duration](ctx)
		srv := aiohttptest.NewServer(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			err := asyncio.Sleep(r.Context(), 10*time.Minute)
			if err == nil {
				t.Error("the handler slept on after its client left")
			}
			handlerDone.SetResult(asyncio.RunningLoop(r.Context()).Time())
		}))
		defer srv.Close(ctx)
		loop := asyncio.RunningLoop(ctx)
		_, _, err := get(ctx, srv.Session(), srv.URL+"/", aiohttp.Timeout(aiohttp.ClientTimeout{Total: 30 * time.Second}))
		if !errors.Is(err, aiohttp.ErrTimeout) {
			t.Errorf("Get: %v, want a timeout", err)
		}
		if got := loop.Time(); got != 30*time.Second {
			t.Errorf("timed out at %v, want 30s", got)
		}
		at, err := handlerDone.Wait(ctx)
		if err != nil {
			return err
		}
		if at != 30*time.Second {
			t.Errorf("handler's ctx ended at %v, want 30s", at)
		}
		return nil
	})
}

// TestUpstreamGather: a handler calls a fake upstream served on the same
// network three times at once, for 1s, 2s and 3s: it answers at 3s.
func TestUpstreamGather(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := aiohttptest.NewNetwork(ctx)
		defer n.Close(ctx)
		up := n.Serve(ctx, "upstream.test", sleeper)
		out := n.SessionFrom("api.test") // the application's own client
		api := n.Serve(ctx, "api.test", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			call := func(d string) func(context.Context) (string, error) {
				return func(ctx context.Context) (string, error) {
					_, body, err := get(ctx, out, up.URL+"/?d="+d)
					return body, err
				}
			}
			bodies, err := asyncio.Gather(r.Context(), call("1s"), call("2s"), call("3s"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			io.WriteString(w, strings.Join(bodies, ", "))
		}))
		loop := asyncio.RunningLoop(ctx)
		status, body, err := get(ctx, n.Session(), api.URL+"/fanout")
		if err != nil {
			return err
		}
		if status != 200 || body != "slept 1s, slept 2s, slept 3s" {
			t.Errorf("got %d %q", status, body)
		}
		if got := loop.Time(); got != 3*time.Second {
			t.Errorf("answered at %v, want 3s", got)
		}
		if up.Accepted() != 3 {
			t.Errorf("upstream accepted %d connections, want 3 (one per concurrent call)", up.Accepted())
		}
		return nil
	})
}

// TestKeepAlive: two requests in turn go over one connection.
func TestKeepAlive(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		srv := aiohttptest.NewServer(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, r.URL.Path)
		}))
		defer srv.Close(ctx)
		for _, p := range []string{"/a", "/b"} {
			if _, body, err := get(ctx, srv.Session(), srv.URL+p); body != p || err != nil {
				t.Errorf("GET %s: %q, %v", p, body, err)
			}
		}
		if got := srv.Accepted(); got != 1 {
			t.Errorf("accepted %d connections for two requests in turn, want 1", got)
		}
		// Another session has its own connection.
		if _, _, err := get(ctx, srv.Network().Session(), srv.URL+"/c"); err != nil {
			return err
		}
		if got := srv.Accepted(); got != 2 {
			t.Errorf("accepted %d connections after a second session's request, want 2", got)
		}
		return nil
	})
}

// TestHTTPClient: the server's Client is a net/http client over the
// network, usable from a task.
func TestHTTPClient(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		srv := aiohttptest.NewServer(ctx, sleeper)
		defer srv.Close(ctx)
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/?d=2m", nil)
		if err != nil {
			return err
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if string(body) != "slept 2m0s" || err != nil {
			t.Errorf("body %q, %v", body, err)
		}
		if got := asyncio.RunningLoop(ctx).Time(); got != 2*time.Minute {
			t.Errorf("answered at %v, want 2m", got)
		}
		return nil
	})
}

// TestWebSocketEcho: a WebSocket route answers over the network.
func TestWebSocketEcho(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		srv := aiohttptest.NewServer(ctx, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := aiohttp.Upgrade(w, r)
			if err != nil {
				return
			}
			ctx := r.Context()
			for m, err := range ws.Messages(ctx) {
				if err != nil {
					return
				}
				ws.SendText(ctx, "echo: "+string(m.Data))
			}
		}))
		defer srv.Close(ctx)
		ws, err := srv.Session().WSConnect(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/ws")
		if err != nil {
			return err
		}
		if err := ws.SendText(ctx, "hello"); err != nil {
			return err
		}
		got, err := ws.ReceiveText(ctx)
		if got != "echo: hello" || err != nil {
			t.Errorf("ReceiveText = %q, %v", got, err)
		}
		return ws.Close(ctx, aiohttp.WSCloseNormal, "done")
	})
}

// TestShutdownInFlight: Shutdown lets a request in flight finish, and
// returns when it has; the server refuses connections from then on.
func TestShutdownInFlight(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := aiohttptest.NewNetwork(ctx)
		defer n.Close(ctx)
		srv := n.Serve(ctx, "api.test", sleeper)
		s := n.Session()
		inFlight := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			_, body, err := get(ctx, s, srv.URL+"/?d=5s")
			return body, err
		})
		if err := asyncio.Sleep(ctx, time.Second); err != nil {
			return err
		}
		if err := srv.Shutdown(ctx); err != nil {
			return err
		}
		if got := asyncio.RunningLoop(ctx).Time(); got != 5*time.Second {
			t.Errorf("Shutdown returned at %v, want 5s, when the request is done", got)
		}
		body, err := inFlight.Wait(ctx)
		if body != "slept 5s" || err != nil {
			t.Errorf("request in flight: %q, %v", body, err)
		}
		if _, _, err := get(ctx, s, srv.URL+"/?d=0s"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("request after Shutdown: %v, want the dial refused", err)
		}
		return nil
	})
}

// TestLatency: the links of the network under it have the latency the
// test gives them: a dial and a request are two round trips.
func TestLatency(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		srv := aiohttptest.NewServer(ctx, sleeper)
		defer srv.Close(ctx)
		srv.Network().Simnet().SetDefaultLink(simnet.Link{Latency: 50 * time.Millisecond})
		if _, _, err := get(ctx, srv.Session(), srv.URL+"/?d=1s"); err != nil {
			return err
		}
		if got, want := asyncio.RunningLoop(ctx).Time(), 4*50*time.Millisecond+time.Second; got != want {
			t.Errorf("answered at %v, want %v", got, want)
		}
		return nil
	})
}

// TestExploreSchedules: concurrent clients get the same answers at the
// same instants under every schedule seed; a seed that differed would be
// named for replay.
func TestExploreSchedules(t *testing.T) {
	var first []string
	asynciotest.Explore(t, 8, func(ctx context.Context) error {
		n := aiohttptest.NewNetwork(ctx)
		defer n.Close(ctx)
		n.Simnet().SetDefaultLink(simnet.Link{Latency: 3 * time.Millisecond})
		srv := n.Serve(ctx, "api.test", sleeper)
		s := n.Session()
		loop := asyncio.RunningLoop(ctx)
		fns := make([]func(context.Context) (string, error), 5)
		for i := range fns {
			fns[i] = func(ctx context.Context) (string, error) {
				_, body, err := get(ctx, s, srv.URL+"/?d="+strconv.Itoa(i+1)+"s")
				return body, err
			}
		}
		bodies, err := asyncio.Gather(ctx, fns...)
		if err != nil {
			return err
		}
		outcome := append(bodies, "at "+loop.Time().String(), "conns "+strconv.Itoa(srv.Accepted()))
		if want := 4*3*time.Millisecond + 5*time.Second; loop.Time() != want {
			t.Errorf("done at %v, want %v", loop.Time(), want)
		}
		if first == nil {
			first = outcome
		} else if fmt.Sprint(outcome) != fmt.Sprint(first) {
			t.Errorf("outcome %q, want %q as under the first seed", outcome, first)
		}
		return nil
	})
}
