// Wschat ports the seed tutorial's FastAPI WebSocket endpoint: a chat
// server that keeps the set of connected clients, sends every text a
// client sends to all of them as "Broadcast: <text>", forgets a client
// when it disconnects, and runs a background task that sends "Periodic
// update" to everyone every five seconds.
//
// The set is a plain slice shared by the handlers and the background
// task. They all run on one loop, one at a time, switching only where
// they wait, so it needs no lock; and since aiohttp.Broadcast never waits,
// nobody joins or leaves in the middle of one.
//
// The program runs the server and a scripted conversation between three
// clients in the same process: alice and bob chat, carol joins, bob
// leaves, and the periodic update reaches those still there. It prints
// what each client hears and exits after the first update:
//
//	go run ./examples/wschat
package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// updateEvery is the period of the tutorial's background task.
const updateEvery = 5 * time.Second

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "wschat:", err)
		os.Exit(1)
	}
}

// A room is the server: the tutorial's active_connections.
type room struct {
	conns []*aiohttp.WebSocket // in the order they joined
}

// ServeHTTP is the WebSocket endpoint: it adds the client to the room and
// broadcasts what it sends until it leaves.
func (rm *room) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The heartbeat pings a client that has been silent for 30 s and
	// drops it if no pong comes back: a client whose network vanished
	// never sends a close frame, and writes to it would go on succeeding
	// into the kernel's buffer.
	ws, err := aiohttp.Upgrade(w, r, aiohttp.Heartbeat(30*time.Second))
	if err != nil {
		return // Upgrade answered the request with an error
	}
	rm.conns = append(rm.conns, ws)
	defer rm.leave(ws)
	ctx := r.Context()
	for msg, err := range ws.Messages(ctx) {
		if err != nil {
			return // the client is gone without a proper close
		}
		if msg.Type == aiohttp.WSText {
			rm.broadcast(ctx, "Broadcast: "+string(msg.Data))
		}
	}
}

// leave removes ws from the room.
func (rm *room) leave(ws *aiohttp.WebSocket) {
	rm.conns = slices.DeleteFunc(rm.conns, func(c *aiohttp.WebSocket) bool { return c == ws })
}

// broadcast sends text to everyone in the room.
//
// The tutorial awaits a send to each connection in turn. A send waits
// while the client's connection is full, so one client that stops reading
// would hold the message back from everyone after it in the list, and
// stall the sender (here, another client's handler, or the periodic
// task) with it. aiohttp.Broadcast waits for no one: it writes the
// message to every connection that has room, and closes one that has not
// with 1013 (try again later), since a chat client must not silently miss
// messages; it can reconnect. Connections already closing are skipped,
// which is the tutorial's removal of dead ones: their handlers remove
// them from the room.
func (rm *room) broadcast(ctx context.Context, text string) {
	aiohttp.Broadcast(ctx, slices.Values(rm.conns), aiohttp.WSMessage{Type: aiohttp.WSText, Data: []byte(text)}, aiohttp.CloseSlow)
}

// periodicUpdates is the tutorial's broadcast_updates task; it runs until
// ctx is cancelled.
func (rm *room) periodicUpdates(ctx context.Context) {
	for asyncio.Sleep(ctx, updateEvery) == nil {
		rm.broadcast(ctx, "Periodic update")
	}
}

// run serves the room and plays the conversation, printing what the
// clients hear with the time since the start.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		rm := &room{}
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", rm)
		if err != nil {
			return struct{}{}, err
		}
		// The background task belongs to run: it is cancelled and waited
		// for before the server shuts down.
		updates := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			rm.periodicUpdates(ctx)
			return struct{}{}, nil
		}, asyncio.Name("broadcast_updates"))

		session := aiohttp.NewSession()
		c := &chat{w: w, session: session, url: "ws://" + srv.Addr().String() + "/ws", loop: asyncio.RunningLoop(ctx)}
		err = c.play(ctx)
		session.Close(ctx)
		updates.Cancel()
		updates.Wait(ctx)
		if serr := srv.Shutdown(ctx); err == nil {
			err = serr
		}
		// Shutdown waited for the handlers: each removed its client.
		c.printf("server stopped, %d clients left in the room", len(rm.conns))
		return struct{}{}, err
	}, opts...)
	return err
}
