package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
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
