package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/aiohttptest"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// A testApp is the app on an in-memory network in virtual time, with its
// upstream at httpbin.test and its own calls dialed from api.test: the
// tests below take milliseconds of real time, the same way every time,
// for seconds of the app's.
type testApp struct {
	net    *aiohttptest.Network
	srv    *aiohttptest.Server
	client *aiohttp.Session
	mail   bytes.Buffer
}

// withApp runs body on a virtual clock with the app started and served;
// then it shuts the server, then the app, then the network down, as a
// program does.
func withApp(t *testing.T, body func(ctx context.Context, ta *testApp) error) {
	asynciotest.Run(t, appRun(body))
}

// appRun is withApp's test body, for asynciotest.Run or Explore.
func appRun(body func(ctx context.Context, ta *testApp) error) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		ta := &testApp{net: aiohttptest.NewNetwork(ctx)}
		ta.net.Serve(ctx, "httpbin.test", upstream())
		app := newApp(Config{Upstream: "http://httpbin.test", Client: ta.net.SessionFrom("api.test"), Mail: &ta.mail})
		if err := app.Start(ctx); err != nil {
			return err
		}
		ta.srv = ta.net.Serve(ctx, "api.test", app)
		ta.client = ta.net.Session()
		err := body(ctx, ta)
		return errors.Join(err, ta.srv.Shutdown(ctx), app.Shutdown(ctx), ta.net.Close(ctx))
	}
}

// do makes a request and returns the status, the body and how long it
// took on the loop's clock.
func (ta *testApp) do(ctx context.Context, method, path string, opts ...aiohttp.RequestOption) (int, string, time.Duration, error) {
	loop := asyncio.RunningLoop(ctx)
	start := loop.Time()
	resp, err := ta.client.Request(ctx, method, ta.srv.URL+path, opts...)
	if err != nil {
		return 0, "", loop.Time() - start, err
	}
	text, err := resp.Text(ctx)
	return resp.StatusCode, strings.TrimSpace(text), loop.Time() - start, err
}

// TestParallelTakesTheSlowest: the three upstream calls run at once, so
// /parallel takes the 2 s of the slowest, not 3 s.
func TestParallelTakesTheSlowest(t *testing.T) {
	withApp(t, func(ctx context.Context, ta *testApp) error {
		status, body, took, err := ta.do(ctx, "GET", "/parallel")
		if err != nil {
			return err
		}
		if status != 200 || took != 2*time.Second || !strings.Contains(body, `{"delay":1},{"delay":2},{"slideshow"`) {
			t.Errorf("GET /parallel: %d in %v: %s", status, took, body)
		}
		return nil
	})
}

// TestParallelUnderManySchedules: the same, whatever order the loop
// picks among the tasks ready at once; a failing schedule would be named
// by its seed, to replay.
func TestParallelUnderManySchedules(t *testing.T) {
	asynciotest.Explore(t, 20, appRun(func(ctx context.Context, ta *testApp) error {
		status, _, took, err := ta.do(ctx, "GET", "/parallel")
		if err == nil && (status != 200 || took != 2*time.Second) {
			err = fmt.Errorf("GET /parallel: %d in %v", status, took)
		}
		return err
	}))
}

// TestNotificationAfterResponse: the answer comes at once; the email
// goes out 5 s later, and the app's shutdown waits for it.
func TestNotificationAfterResponse(t *testing.T) {
	withApp(t, func(ctx context.Context, ta *testApp) error {
		status, body, took, err := ta.do(ctx, "POST", "/send-notification?email=bo@example.com&message=ready")
		if err != nil {
			return err
		}
		if status != 200 || took != 0 || body != `{"status":"notification queued"}` || ta.mail.Len() != 0 {
			t.Errorf("POST: %d in %v: %s; mail %q", status, took, body, ta.mail.String())
		}
		// A bad address is refused before anything is queued.
		status, body, _, err = ta.do(ctx, "POST", "/send-notification?email=bo&message=ready")
		if err != nil {
			return err
		}
		if status != 422 || !strings.Contains(body, `"location":"query.email"`) {
			t.Errorf("bad email: %d %s", status, body)
		}
		if err := asyncio.Sleep(ctx, 5*time.Second); err != nil {
			return err
		}
		if got := ta.mail.String(); got != " 5.0s  email sent to bo@example.com: ready\n" {
			t.Errorf("mail %q", got)
		}
		return nil
	})
}

// TestUsers: the database dependency, a connection per request from the
// pool the lifespan opened.
func TestUsers(t *testing.T) {
	withApp(t, func(ctx context.Context, ta *testApp) error {
		resp, err := ta.client.Post(ctx, ta.srv.URL+"/users", aiohttp.Body(strings.NewReader(`{"name":"Di","email":"di@example.com"}`), "application/json"))
		if err != nil {
			return err
		}
		text, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		if resp.StatusCode != 201 || resp.Header.Get("Location") != "/users/3" || text != `{"id":3,"name":"Di","email":"di@example.com"}`+"\n" {
			t.Errorf("POST /users: %d, Location %q: %s", resp.StatusCode, resp.Header.Get("Location"), text)
		}
		for path, want := range map[string]string{
			"/users/3":  `{"id":3,"name":"Di","email":"di@example.com"}`,
			"/users/99": `"detail":"User not found"`,
			"/users/0":  `"location":"path.user_id"`,
		} {
			_, body, _, err := ta.do(ctx, "GET", path)
			if err != nil {
				return err
			}
			if !strings.Contains(body, want) {
				t.Errorf("GET %s: %s, want %s", path, body, want)
			}
		}
		return nil
	})
}

// TestUpstreamPartitioned: while the upstream is cut off, /fetch waits
// for it and the client gives up at its own timeout, exactly; once the
// network heals, it answers again.
func TestUpstreamPartitioned(t *testing.T) {
	withApp(t, func(ctx context.Context, ta *testApp) error {
		ta.net.Simnet().Partition("api.test", "httpbin.test")
		var took time.Duration
		err := asyncio.Timeout(ctx, 3*time.Second, func(ctx context.Context) error {
			_, _, d, err := ta.do(ctx, "GET", "/fetch")
			took = d
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) || took != 3*time.Second {
			t.Errorf("GET /fetch across a partition: %v after %v", err, took)
		}
		ta.net.Simnet().Heal("api.test", "httpbin.test")
		status, body, _, err := ta.do(ctx, "GET", "/fetch")
		if err != nil {
			return err
		}
		if status != 200 || !strings.Contains(body, "Sample Slide Show") {
			t.Errorf("GET /fetch, healed: %d %s", status, body)
		}
		return nil
	})
}

// TestChat: the WebSocket route over the network.
func TestChat(t *testing.T) {
	withApp(t, func(ctx context.Context, ta *testApp) error {
		url := strings.Replace(ta.srv.URL, "http", "ws", 1) + "/ws"
		ann, err := ta.client.WSConnect(ctx, url)
		if err != nil {
			return err
		}
		bo, err := ta.client.WSConnect(ctx, url)
		if err != nil {
			return err
		}
		if err := bo.SendText(ctx, "hi all"); err != nil {
			return err
		}
		for _, ws := range []*aiohttp.WebSocket{ann, bo} {
			if text, err := ws.ReceiveText(ctx); err != nil || text != "Broadcast: hi all" {
				t.Errorf("heard %q, %v", text, err)
			}
		}
		return errors.Join(ann.Close(ctx, aiohttp.WSCloseNormal, ""), bo.Close(ctx, aiohttp.WSCloseNormal, ""))
	})
}
