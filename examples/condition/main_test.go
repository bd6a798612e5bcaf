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
	const want = `[0.0s] Consumer-1: waiting for items
[0.0s] Consumer-2: waiting for items
[0.0s] Consumer-3: waiting for items
[1.0s] Producer-1: produced Producer-1-item-1
[1.0s] Consumer-1: consumed Producer-1-item-1
[1.3s] Producer-2: produced Producer-2-item-1
[1.3s] Consumer-2: consumed Producer-2-item-1
[2.0s] Producer-1: produced Producer-1-item-2
[2.0s] Consumer-3: consumed Producer-1-item-2
[2.6s] Producer-2: produced Producer-2-item-2
[2.6s] Consumer-1: consumed Producer-2-item-2
[3.0s] Producer-1: produced Producer-1-item-3
[3.0s] Consumer-2: consumed Producer-1-item-3
[3.0s] Producers finished: notifying all consumers
[3.0s] Consumer-3: no more items, leaving
[3.0s] Consumer-1: no more items, leaving
[3.0s] Consumer-2: no more items, leaving
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
