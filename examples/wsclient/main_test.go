package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun talks to the program's own echo server. The virtual clock makes
// a closing handshake that stalled fail at once, with the close timeout's
// error, instead of after 10 s.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, "", asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `Received: Hello WebSocket
Received: {"type":"greeting","data":"test"}
Received: close
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
