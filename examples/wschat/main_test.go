package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun plays the conversation on a virtual clock: the periodic update
// comes at 5 s exactly, at once. It reaches alice and carol only, bob
// having left, and the server ends with an empty room.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `  0s  alice joins
  0s  bob joins
  0s  alice sends "alice: hello, anyone here?"
  0s      alice hears "Broadcast: alice: hello, anyone here?"
  0s      bob hears "Broadcast: alice: hello, anyone here?"
  0s  bob sends "bob: hi alice!"
  0s      alice hears "Broadcast: bob: hi alice!"
  0s      bob hears "Broadcast: bob: hi alice!"
  0s  carol joins
  0s  carol sends "carol: what did I miss?"
  0s      alice hears "Broadcast: carol: what did I miss?"
  0s      bob hears "Broadcast: carol: what did I miss?"
  0s      carol hears "Broadcast: carol: what did I miss?"
  0s  bob leaves
  0s  alice sends "alice: bye bob"
  0s      alice hears "Broadcast: alice: bye bob"
  0s      carol hears "Broadcast: alice: bye bob"
  5s      alice hears "Periodic update"
  5s      carol hears "Periodic update"
  5s  alice leaves
  5s  carol leaves
  5s  server stopped, 0 clients left in the room
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestSlowClient checks what the room's broadcast is for: a client that
// stops reading does not hold the others up, and is closed once its
// connection is full. Alice sends message after message, each twice the
// server's write buffer mark, and hears each one back before the next;
// bob reads nothing until she is done. With a loop of sends, her handler
// would wait on bob's full connection, and she would hear nothing more
// until the heartbeat dropped bob, 45 s later: the checks at the end tell
// that from a room that closed him at once.
//
// The clock is real. On a virtual one, each moment the loop waits for the
// kernel to move megabytes would jump time to the next heartbeat, and the
// server would ping, and drop, clients that are merely busy.
func TestSlowClient(t *testing.T) {
	const messages = 64
	text := strings.Repeat("x", 128<<10)
	var bobHeard int
	var bobErr error
	var bobAtServer *aiohttp.WebSocket
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		ctx, cancel := context.WithTimeout(ctx, time.Minute)
		defer cancel()
		rm := &room{}
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", rm)
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Shutdown(ctx)
		session := aiohttp.NewSession()
		defer session.Close(ctx)
		url := "ws://" + srv.Addr().String() + "/ws"
		alice, err := session.WSConnect(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		defer alice.Close(ctx, aiohttp.WSCloseNormal, "")
		bob, err := session.WSConnect(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		// The handler added bob as soon as it upgraded, before the
		// handshake's answer reached him.
		if len(rm.conns) != 2 {
			return struct{}{}, fmt.Errorf("%d clients in the room, want alice and bob", len(rm.conns))
		}
		bobAtServer = rm.conns[1]
		for i := range messages {
			if err := alice.SendText(ctx, text); err != nil {
				return struct{}{}, err
			}
			got, err := alice.ReceiveText(ctx)
			if err != nil {
				return struct{}{}, fmt.Errorf("alice, message %d: %w", i, err)
			}
			if got != "Broadcast: "+text {
				return struct{}{}, fmt.Errorf("alice, message %d: heard %d bytes, want her own %d back", i, len(got), len(text))
			}
		}
		for {
			if _, bobErr = bob.ReceiveText(ctx); bobErr != nil {
				return struct{}{}, nil
			}
			bobHeard++
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	// The server's close frame, with 1013, comes after all that was
	// queued for bob before it; if bob takes longer than the server's
	// close timeout (10 s) to read up to it, the server aborts his
	// connection instead. Either way, the room closed it, and did not
	// wait for the heartbeat to find him unresponsive, as it would have
	// with a loop of sends (or with DropSlow) after its 45 s.
	var ce *aiohttp.WSCloseError
	if !errors.As(bobErr, &ce) || (ce.Code != aiohttp.WSCloseTryAgainLater && !errors.Is(ce.Err, io.ErrUnexpectedEOF)) {
		t.Errorf("bob's connection ended with %v, want the server's close frame with 1013, or the server's abort", bobErr)
	}
	if code, err := bobAtServer.CloseCode(), bobAtServer.Err(); code != aiohttp.WSCloseTryAgainLater && !errors.Is(err, aiohttp.ErrWSCloseTimeout) {
		t.Errorf("at the server, bob's connection ended with %v, want 1013 or the close timeout", err)
	}
	if bobHeard == 0 || bobHeard >= messages {
		t.Errorf("bob heard %d messages before he was closed, want some of the %d, not all", bobHeard, messages)
	}
	t.Logf("bob heard %d of %d messages before the room closed his connection: %v", bobHeard, messages, bobErr)
}
