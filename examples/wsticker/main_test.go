package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/browser"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs the self-test on a virtual clock: the ticks come each
// second exactly, at once, and the echo before the next tick.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, time.Second, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `GET /: 200 OK, text/html; charset=utf-8
tick 1, server up 1s
tick 2, server up 2s
tick 3, server up 3s
sent "hello from Go"
echo "hello from Go"
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// pageReport is what the page posts to /report at the end of its
// self-test.
type pageReport struct {
	Ticks []int  `json:"ticks"`
	Sent  string `json:"sent"`
	Echo  string `json:"echo"`
	Error string `json:"error"`
}

// TestPageInChromium serves the ticker with its page, opens the page in a
// headless Chromium in self-test mode, and waits for the page's report:
// it got ticks over the WebSocket, sent a message on it, and got the
// server's echo. The browser is real, so is the clock: the ticker ticks
// every 50 ms to keep the test short.
func TestPageInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a browser")
	}
	browser.Need(t)
	const wantTicks = 5
	reports := make(chan pageReport, 1)
	tk := &ticker{every: 50 * time.Millisecond}
	mux := tk.routes()
	mux.HandleFunc("POST /report", func(w http.ResponseWriter, r *http.Request) {
		var rep pageReport
		if err := json.NewDecoder(r.Body).Decode(&rep); err != nil {
			rep.Error = "undecodable report: " + err.Error()
		}
		select {
		case reports <- rep:
		default: // a second report; the first one counts
		}
	})

	var rep pageReport
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		return struct{}{}, serve(ctx, "127.0.0.1:0", tk, mux, func(ctx context.Context, addr string) error {
			// The browser is started, and its report awaited, on an
			// executor thread, while the loop serves the page.
			_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
				url := fmt.Sprintf("http://%s/?selftest=%d", addr, wantTicks)
				if err := browser.Chromium(t, url); err != nil {
					return struct{}{}, err
				}
				select {
				case rep = <-reports:
					return struct{}{}, nil
				case <-time.After(browser.Timeout):
					return struct{}{}, fmt.Errorf("the page did not report within %v", browser.Timeout)
				}
			})
			return err
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the page reported %+v", rep)
	if rep.Error != "" {
		t.Fatalf("the page reported an error: %s", rep.Error)
	}
	if len(rep.Ticks) != wantTicks {
		t.Errorf("the page saw ticks %v, want %d of them", rep.Ticks, wantTicks)
	}
	for i := 1; i < len(rep.Ticks); i++ {
		if rep.Ticks[i] != rep.Ticks[i-1]+1 {
			t.Errorf("the page saw ticks %v, want consecutive ones: none dropped for a page that keeps up", rep.Ticks)
			break
		}
	}
	if want := fmt.Sprintf("hello from a page that saw %d ticks", wantTicks); rep.Sent != want || rep.Echo != want {
		t.Errorf("the page sent %q and got back %q, want %q both times", rep.Sent, rep.Echo, want)
	}
}
