package aiohttp_test

import (
	"context"
	"fmt"
	"net/http"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// A handler upgrades its request to a WebSocket and answers each message
// until the client closes; the client is a Session of the same loop.
func ExampleUpgrade() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /ws", func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, aiohttp.Protocols("chat"))
		if err != nil {
			return // Upgrade answered the bad handshake
		}
		ctx := r.Context()
		for m, err := range ws.Messages(ctx) {
			if err != nil {
				return
			}
			ws.SendText(ctx, "you said: "+string(m.Data))
		}
		fmt.Println("server: client closed with", ws.CloseCode(), ws.CloseReason())
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", mux)
		if err != nil {
			return struct{}{}, err
		}
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		ws, err := s.WSConnect(ctx, "ws://"+srv.Addr().String()+"/ws", aiohttp.Protocols("chat"))
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println("client: subprotocol", ws.Protocol())
		ws.SendText(ctx, "hello")
		answer, err := ws.ReceiveText(ctx)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Println("client:", answer)
		if err := ws.Close(ctx, aiohttp.WSCloseNormal, "done"); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		fmt.Println(err)
	}
	// Output:
	// client: subprotocol chat
	// client: you said: hello
	// server: client closed with 1000 done
}
