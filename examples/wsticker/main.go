// Wsticker is a live ticker in a web page: the server pushes a tick to
// every open page each second over a WebSocket, and what one page sends
// back, the server echoes to all of them. It shows a server's side of
// WebSockets for browsers: the page (GET /, embedded in the program) opens
// ws://<host>/ws; a ticking task sends each tick with aiohttp.Broadcast,
// which skips a page too slow to take it (DropSlow) instead of waiting for
// it; the heartbeat drops pages that vanished.
//
// With -serve, the program serves until interrupted; open the address in a
// browser, in several tabs to see the echoes reach them all:
//
//	go run ./examples/wsticker -serve 127.0.0.1:8080
//
// Run as it is, it tests itself: it serves on a free port of 127.0.0.1,
// fetches the page, connects one Go client to /ws as the page would,
// prints a few ticks, sends a message, prints its echo and exits.
//
//	go run ./examples/wsticker
//
// -every sets the time between ticks (a second by default). The page's own
// test, in a headless Chromium, is in main_test.go.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func main() {
	addr := flag.String("serve", "", "serve on this address (host:port) until interrupted, instead of the self-test")
	every := flag.Duration("every", time.Second, "time between ticks")
	flag.Parse()
	var err error
	if *addr != "" {
		err = serveForever(*addr, *every)
	} else {
		err = run(os.Stdout, *every)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "wsticker:", err)
		os.Exit(1)
	}
}

// serveForever serves the ticker on addr until the program is interrupted.
func serveForever(addr string, every time.Duration) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		tk := &ticker{every: every}
		err := serve(ctx, addr, tk, tk.routes(), func(ctx context.Context, addr string) error {
			fmt.Printf("serving the ticker on http://%s/ (Ctrl-C stops)\n", addr)
			var never asyncio.Event // waits for the interrupt, which cancels ctx
			never.Wait(ctx)
			return nil
		})
		return struct{}{}, err
	})
	if errors.Is(err, asyncio.ErrInterrupted) {
		return nil
	}
	return err
}

// selfTestTicks is how many ticks the self-test prints.
const selfTestTicks = 3

// run is the self-test.
func run(w io.Writer, every time.Duration, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		tk := &ticker{every: every}
		return struct{}{}, serve(ctx, "127.0.0.1:0", tk, tk.routes(), func(ctx context.Context, addr string) error {
			session := aiohttp.NewSession()
			defer session.Close(ctx)
			return selfTest(ctx, w, session, addr)
		})
	}, opts...)
	return err
}

// selfTest does what the page does, with Go's aiohttp client.
func selfTest(ctx context.Context, w io.Writer, session *aiohttp.Session, addr string) error {
	resp, err := session.Get(ctx, "http://"+addr+"/")
	if err != nil {
		return err
	}
	if _, err := resp.Text(ctx); err != nil {
		return err
	}
	fmt.Fprintf(w, "GET /: %s, %s\n", resp.Status, resp.Header.Get("Content-Type"))

	ws, err := session.WSConnect(ctx, "ws://"+addr+"/ws")
	if err != nil {
		return err
	}
	defer ws.Close(ctx, aiohttp.WSCloseNormal, "")
	for range selfTestTicks {
		var m message
		if err := ws.ReceiveJSON(ctx, &m); err != nil {
			return err
		}
		up := (time.Duration(m.UptimeMS) * time.Millisecond).Round(100 * time.Millisecond)
		fmt.Fprintf(w, "%s %d, server up %v\n", m.Type, m.N, up)
	}
	const text = "hello from Go"
	if err := ws.SendText(ctx, text); err != nil {
		return err
	}
	fmt.Fprintf(w, "sent %q\n", text)
	// Ticks may come before the echo: the page shows them, the self-test
	// waits for its echo.
	for {
		var m message
		if err := ws.ReceiveJSON(ctx, &m); err != nil {
			return err
		}
		if m.Type == "echo" {
			fmt.Fprintf(w, "echo %q\n", m.Text)
			break
		}
	}
	return ws.Close(ctx, aiohttp.WSCloseNormal, "")
}
