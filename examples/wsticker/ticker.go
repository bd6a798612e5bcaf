package main

import (
	"context"
	_ "embed"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// page is the ticker's web page; its script talks to /ws.
//
//go:embed index.html
var page []byte

// A ticker is the server: the pages connected to it and how often it
// ticks. Its handlers and its ticking task all run on the server's loop,
// one at a time, so pages needs no lock.
type ticker struct {
	every time.Duration
	pages []*aiohttp.WebSocket // in the order they connected
}

// A message is what the server sends to the pages, as JSON.
type message struct {
	Type string `json:"type"` // "tick" or "echo"
	// A tick's number, from 1, and the server's uptime then.
	N        int   `json:"n,omitempty"`
	UptimeMS int64 `json:"uptime_ms,omitempty"`
	// An echo's text: what a page sent.
	Text string `json:"text,omitempty"`
}

// routes returns the ticker's handler: the page at / and its WebSocket at
// /ws. The caller may add routes of its own.
func (tk *ticker) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(page)
	})
	mux.HandleFunc("GET /ws", tk.serveWS)
	return mux
}

// serveWS adds a page to the ticker until it goes, and sends what the page
// sends to every page.
func (tk *ticker) serveWS(w http.ResponseWriter, r *http.Request) {
	// A page in a tab that was closed without a close frame (a laptop
	// lid shut, a network gone) would stay in pages for ever: the
	// heartbeat pings a page silent for 30 s and drops it unless it
	// answers.
	ws, err := aiohttp.Upgrade(w, r, aiohttp.Heartbeat(30*time.Second))
	if err != nil {
		return // Upgrade answered the request with an error
	}
	tk.pages = append(tk.pages, ws)
	defer func() {
		tk.pages = slices.DeleteFunc(tk.pages, func(p *aiohttp.WebSocket) bool { return p == ws })
	}()
	ctx := r.Context()
	for msg, err := range ws.Messages(ctx) {
		if err != nil {
			return // the page is gone without a proper close
		}
		if msg.Type == aiohttp.WSText {
			tk.broadcast(ctx, message{Type: "echo", Text: string(msg.Data)})
		}
	}
}

// tick broadcasts a tick every tk.every until ctx is cancelled.
func (tk *ticker) tick(ctx context.Context) {
	loop := asyncio.RunningLoop(ctx)
	start := loop.Time()
	for n := 1; asyncio.Sleep(ctx, tk.every) == nil; n++ {
		tk.broadcast(ctx, message{Type: "tick", N: n, UptimeMS: (loop.Time() - start).Milliseconds()})
	}
}

// broadcast sends m to every page. A page that cannot take it now (its
// browser reads slower than the server sends, or its network stalls)
// misses it, rather than holding up the others: a tick it got late
// would be stale anyway, and the next one is on its way. A loop of
// sends would wait for each page in turn, and one slow page would delay
// every page after it.
func (tk *ticker) broadcast(ctx context.Context, m message) {
	data, err := json.Marshal(m)
	if err != nil {
		panic(err) // a message always encodes
	}
	aiohttp.Broadcast(ctx, slices.Values(tk.pages), aiohttp.WSMessage{Type: aiohttp.WSText, Data: data}, aiohttp.DropSlow)
}

// serve serves h, a handler made from tk's routes, on addr and runs tk's
// ticking task; it calls use with the server's address, and stops both
// once use returns, shutting the server down gracefully: open pages are
// sent a close frame with 1001 (going away).
func serve(ctx context.Context, addr string, tk *ticker, h http.Handler, use func(ctx context.Context, addr string) error) error {
	srv, err := aiohttp.Serve(ctx, addr, h)
	if err != nil {
		return err
	}
	// The ticking task belongs to serve: it is cancelled and waited for
	// before serve returns.
	ticking := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
		tk.tick(ctx)
		return struct{}{}, nil
	}, asyncio.Name("ticker"))
	err = use(ctx, srv.Addr().String())
	ticking.Cancel()
	ticking.Wait(context.WithoutCancel(ctx))
	// use may have returned because ctx ended (an interrupt): the
	// shutdown still gets its time.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	if serr := srv.Shutdown(sctx); err == nil {
		err = serr
	}
	return err
}
