// Wsclient ports the seed tutorial's aiohttp WebSocket client: it connects
// with Session.WSConnect (aiohttp's session.ws_connect), sends a text
// message and a JSON one, and prints every text message it receives until
// the server sends "close", when it closes the connection.
//
// The tutorial talks to a public echo server. So that it runs offline, the
// program starts its own echo server on a free port of 127.0.0.1 and talks
// to that; -url points it at another one:
//
//	go run ./examples/wsclient
//	go run ./examples/wsclient -url wss://echo.websocket.org
//
// An echo server sends each message back, so the program sends "close"
// last: its echo is what ends the loop, as in the tutorial. Against a
// server that greets first, the greeting is printed too.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func main() {
	url := flag.String("url", "", "WebSocket URL of an echo server (default: start one on 127.0.0.1)")
	flag.Parse()
	if err := run(os.Stdout, *url); err != nil {
		fmt.Fprintln(os.Stderr, "wsclient:", err)
		os.Exit(1)
	}
}

// greeting is the tutorial's JSON message; a struct keeps its fields in
// the tutorial's order.
type greeting struct {
	Type string `json:"type"`
	Data string `json:"data"`
}

// run talks to the echo server at url, or to one of its own if url is "".
func run(w io.Writer, url string, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if url == "" {
			srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", http.HandlerFunc(echo))
			if err != nil {
				return struct{}{}, err
			}
			defer srv.Shutdown(ctx)
			url = "ws://" + srv.Addr().String() + "/"
		}
		session := aiohttp.NewSession()
		defer session.Close(ctx)
		return struct{}{}, talk(ctx, w, session, url)
	}, opts...)
	return err
}

// talk is the tutorial's client.
func talk(ctx context.Context, w io.Writer, session *aiohttp.Session, url string) error {
	ws, err := session.WSConnect(ctx, url)
	if err != nil {
		return err
	}
	// Whatever happens below, the connection is closed before talk
	// returns; after the closing handshake this is a no-op.
	defer ws.Close(ctx, aiohttp.WSCloseNormal, "")

	if err := ws.SendText(ctx, "Hello WebSocket"); err != nil {
		return err
	}
	if err := ws.SendJSON(ctx, greeting{Type: "greeting", Data: "test"}); err != nil {
		return err
	}
	if err := ws.SendText(ctx, "close"); err != nil {
		return err
	}
	for msg, err := range ws.Messages(ctx) {
		if err != nil {
			return err
		}
		if msg.Type != aiohttp.WSText {
			continue
		}
		fmt.Fprintf(w, "Received: %s\n", msg.Data)
		if string(msg.Data) == "close" {
			return ws.Close(ctx, aiohttp.WSCloseNormal, "")
		}
	}
	return fmt.Errorf("%s closed the connection before sending \"close\"", url)
}

// echo is the echo server's handler: it upgrades the request and sends
// every message back until the client closes.
func echo(w http.ResponseWriter, r *http.Request) {
	ws, err := aiohttp.Upgrade(w, r)
	if err != nil {
		return // Upgrade answered the request with an error
	}
	ctx := r.Context()
	for msg, err := range ws.Messages(ctx) {
		if err != nil {
			return
		}
		if err := ws.Send(ctx, msg); err != nil {
			return
		}
	}
}
