package main

import (
	"context"
	"net/http"

	coder "github.com/coder/websocket"
	"github.com/gorilla/websocket"
)

// The WebSocket echo servers of bench/run.sh's ws-echo and ws-idle-mem
// workloads on net/http: GET / upgrades, without compression, and every
// message goes back with its type. Each runs until the process is killed
// (SIGTERM's default action); each connection's handler goroutine ends
// when its connection fails or closes.

// wsGorilla serves the echo with github.com/gorilla/websocket, the way its
// documentation shows: ReadMessage then WriteMessage, default buffers.
func wsGorilla(addr string) error {
	up := websocket.Upgrader{}
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		for {
			typ, p, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(typ, p); err != nil {
				return
			}
		}
	}))
}

// wsCoder serves the echo with github.com/coder/websocket (formerly
// nhooyr.io/websocket): Read then Write, compression off.
func wsCoder(addr string) error {
	opts := &coder.AcceptOptions{CompressionMode: coder.CompressionDisabled}
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := coder.Accept(w, r, opts)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := context.Background()
		for {
			typ, p, err := c.Read(ctx)
			if err != nil {
				return
			}
			if err := c.Write(ctx, typ, p); err != nil {
				return
			}
		}
	}))
}
