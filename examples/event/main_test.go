package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `[0.0s] Waiter-1: waiting for event (set: false)
[0.0s] Waiter-2: waiting for event (set: false)
[0.0s] Waiter-3: waiting for event (set: false)
[2.0s] Setter: setting event
[2.0s] Waiter-1: event received!
[2.0s] Waiter-2: event received!
[2.0s] Waiter-3: event received!
[3.0s] Waiter-4: waiting for event (set: true)
[3.0s] Waiter-4: event received!
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
