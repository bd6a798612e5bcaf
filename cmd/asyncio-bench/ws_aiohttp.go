//go:build linux

package main

import (
	"context"
	"net/http"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// wsServer serves the WebSocket echo of the ws-echo and ws-idle-mem
// workloads on addr until SIGTERM: every message goes back with its type,
// uncompressed, as the peers' servers do. With onMessage the messages go
// to WebSocket.OnMessage, so that an idle connection holds no task;
// otherwise the handler's task loops on Receive.
func wsServer(addr string, onMessage bool) error {
	echo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, aiohttp.Compress(false))
		if err != nil {
			return
		}
		if onMessage {
			ws.OnMessage(func(ctx context.Context, m aiohttp.WSMessage, err error) {
				if err == nil {
					ws.Send(ctx, m)
				}
			})
			return
		}
		ctx := r.Context()
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				return
			}
			if err := ws.Send(ctx, m); err != nil {
				return
			}
		}
	})
	return serveUntilTerm(addr, echo)
}
