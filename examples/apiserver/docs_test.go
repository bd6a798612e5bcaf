//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/internal/browser"
)

// serveApp serves the app and its upstream stand-in on loopback for the
// length of body, which gets the app's base URL.
func serveApp(t *testing.T, body func(ctx context.Context, base string) error) {
	t.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		up, err := aiohttp.Serve(ctx, "127.0.0.1:0", upstream())
		if err != nil {
			return struct{}{}, err
		}
		client := aiohttp.NewSession()
		app := newApp(Config{Upstream: "http://" + up.Addr().String(), Client: client, Mail: os.Stderr})
		srv, err := app.Serve(ctx, "127.0.0.1:0")
		if err != nil {
			return struct{}{}, err
		}
		err = body(ctx, "http://"+srv.Addr().String())
		err = errors.Join(err, srv.Shutdown(ctx), app.Shutdown(ctx), up.Shutdown(ctx), client.Close(ctx))
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDocsPageInChromium loads /docs in headless Chromium: the page runs
// from the assets the module embeds (the machine has no other network),
// fetches /openapi.json and lists every operation.
//
// APISERVER_DOCS_SCREENSHOT=file writes the page's picture there, as
// docs/apiserver-docs.png was made.
func TestDocsPageInChromium(t *testing.T) {
	browser.Need(t)
	shot := os.Getenv("APISERVER_DOCS_SCREENSHOT")
	serveApp(t, func(ctx context.Context, base string) error {
		dom, err := asyncio.ToThread(ctx, func() (string, error) {
			return browser.Render(t, base+"/docs", 20*time.Second, shot, 1280, 1500)
		})
		if err != nil {
			return err
		}
		for _, want := range []string{
			`data-path="/"`, `data-path="/delay/{seconds}"`, `data-path="/fetch"`, `data-path="/parallel"`,
			`data-path="/send-notification"`, `data-path="/users/{user_id}"`, `data-path="/users"`,
			"Send a notification in the background", "1.0.0",
		} {
			if !strings.Contains(dom, want) {
				t.Errorf("the docs page lacks %s", want)
			}
		}
		if t.Failed() {
			t.Logf("the page's DOM:\n%s", dom)
		}
		return nil
	})
}
