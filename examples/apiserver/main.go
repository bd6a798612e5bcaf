// Apiserver is the seed guide's FastAPI app, on package api: typed
// endpoints, one that sleeps, one that calls another service and one
// that calls it three times at once with Gather, a notification sent in
// the background after the response, users from a database through a
// dependency that borrows a connection per request, startup and
// shutdown hooks that open and close the pool, and a WebSocket chat.
// The OpenAPI document is at /openapi.json and the interactive docs at
// /docs.
//
//	GET  /                    {"message": "Hello World"}
//	GET  /delay/{seconds}     the same, after a sleep
//	GET  /fetch               a document from the upstream service
//	GET  /parallel            three upstream calls at once
//	POST /send-notification   ?email=&message=: answers, then "sends" the email
//	GET  /users/{user_id}     a user, or 404
//	POST /users               {"name", "email"}: 201 and the user
//	GET  /ws                  WebSocket: what one sends, all hear
//
// The upstream service, httpbin.org in the guide, is a stand-in served by
// the program itself, so it runs offline. By default the program serves
// both, plays a client against the app, prints what it sees and shuts
// down; with -listen it serves until interrupted:
//
//	go run ./examples/apiserver
//	go run ./examples/apiserver -listen 127.0.0.1:8000   # then open http://127.0.0.1:8000/docs
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func main() {
	listen := flag.String("listen", "", "serve on this address until interrupted, instead of playing the client")
	flag.Parse()
	var err error
	if *listen != "" {
		err = serve(*listen)
	} else {
		err = run(os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "apiserver:", err)
		os.Exit(1)
	}
}

// serve runs the app on addr until Ctrl-C, with the upstream stand-in
// beside it.
func serve(addr string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		up, err := aiohttp.Serve(ctx, "127.0.0.1:0", upstream())
		if err != nil {
			return struct{}{}, err
		}
		defer up.Shutdown(context.WithoutCancel(ctx))
		client := aiohttp.NewSession()
		defer client.Close(context.WithoutCancel(ctx))
		app := newApp(Config{Upstream: "http://" + up.Addr().String(), Client: client, Mail: os.Stdout})
		fmt.Printf("serving on http://%s (docs at /docs); Ctrl-C stops\n", addr)
		return struct{}{}, app.Run(ctx, addr)
	}, asyncio.WithInterruptHandling(true))
	if errors.Is(err, context.Canceled) {
		return nil // interrupted: Run shut down gracefully
	}
	return err
}

// run serves the app and the upstream stand-in on loopback, plays the
// client and prints what it sees.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		up, err := aiohttp.Serve(ctx, "127.0.0.1:0", upstream())
		if err != nil {
			return struct{}{}, err
		}
		client := aiohttp.NewSession()
		app := newApp(Config{Upstream: "http://" + up.Addr().String(), Client: client, Mail: w})
		srv, err := app.Serve(ctx, "127.0.0.1:0")
		if err != nil {
			return struct{}{}, err
		}
		err = play(ctx, w, client, "http://"+srv.Addr().String())
		// The server first (no new requests, those in flight finish),
		// then the app (the email goes out, the pool closes).
		err = errors.Join(err, srv.Shutdown(ctx), app.Shutdown(ctx), up.Shutdown(ctx), client.Close(ctx))
		fmt.Fprintln(w, "shut down")
		return struct{}{}, err
	}, opts...)
	return err
}

// play is the client: one request per endpoint, printed with the loop
// time it took.
func play(ctx context.Context, w io.Writer, s *aiohttp.Session, base string) error {
	loop := asyncio.RunningLoop(ctx)
	do := func(method, path, body string) error {
		start := loop.Time()
		var opts []aiohttp.RequestOption
		if body != "" {
			opts = append(opts, aiohttp.Body(strings.NewReader(body), "application/json"))
		}
		resp, err := s.Request(ctx, method, base+path, opts...)
		if err != nil {
			return err
		}
		text, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		took := (loop.Time() - start).Round(100 * time.Millisecond)
		fmt.Fprintf(w, "%s %s -> %d (%v) %s\n", method, path, resp.StatusCode, took, strings.TrimSpace(text))
		return nil
	}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/", ""},
		{"GET", "/delay/1", ""},
		{"GET", "/fetch", ""},
		{"GET", "/parallel", ""},
		{"POST", "/send-notification?email=ann@example.com&message=hi", ""},
		{"GET", "/users/1", ""},
		{"GET", "/users/99", ""},
		{"POST", "/users", `{"name": "Cy", "email": "cy@example.com"}`},
		{"POST", "/users", `{"name": "", "email": "not an address"}`},
		{"GET", "/delay/100", ""},
	} {
		if err := do(r.method, r.path, r.body); err != nil {
			return err
		}
	}
	return chat(ctx, w, s, strings.Replace(base, "http", "ws", 1)+"/ws")
}

// chat connects two WebSocket clients; one speaks, both hear.
func chat(ctx context.Context, w io.Writer, s *aiohttp.Session, url string) error {
	ann, err := s.WSConnect(ctx, url)
	if err != nil {
		return err
	}
	bo, err := s.WSConnect(ctx, url)
	if err != nil {
		return err
	}
	if err := ann.SendText(ctx, "hello from ann"); err != nil {
		return err
	}
	for _, c := range []struct {
		name string
		ws   *aiohttp.WebSocket
	}{{"ann", ann}, {"bo", bo}} {
		text, err := c.ws.ReceiveText(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "ws: %s hears %q\n", c.name, text)
	}
	return errors.Join(ann.Close(ctx, aiohttp.WSCloseNormal, ""), bo.Close(ctx, aiohttp.WSCloseNormal, ""))
}
