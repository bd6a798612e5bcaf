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
	const want = `[0.1s] Producer-1: produced Producer-1-item-0
[0.1s] Consumer-1: consumed Producer-1-item-0
[0.2s] Producer-2: produced Producer-2-item-0
[0.2s] Consumer-2: consumed Producer-2-item-0
[0.3s] Producer-1: produced Producer-1-item-1
[0.3s] Consumer-3: consumed Producer-1-item-1
[0.4s] Producer-1: produced Producer-1-item-2
[0.5s] Producer-2: produced Producer-2-item-1
[0.6s] Producer-1: produced Producer-1-item-3
[0.7s] Producer-2: queue full, waiting to put Producer-2-item-2
[0.8s] Producer-1: queue full, waiting to put Producer-1-item-4
[0.9s] Consumer-1: consumed Producer-1-item-2
[0.9s] Producer-2: produced Producer-2-item-2
[1.0s] Consumer-2: consumed Producer-2-item-1
[1.0s] Producer-1: produced Producer-1-item-4
[1.1s] Consumer-3: consumed Producer-1-item-3
[1.2s] Producer-2: produced Producer-2-item-3
[1.5s] Producer-2: queue full, waiting to put Producer-2-item-4
[1.6s] Consumer-1: consumed Producer-2-item-2
[1.6s] Producer-2: produced Producer-2-item-4
[1.6s] Producers done: sending 3 sentinels
[1.7s] Consumer-2: consumed Producer-1-item-4
[1.8s] Consumer-3: consumed Producer-2-item-3
[2.0s] Consumer-1: consumed Producer-2-item-4
[2.1s] Consumer-3: got sentinel, stopping
[2.6s] Consumer-2: got sentinel, stopping
[2.9s] Consumer-1: got sentinel, stopping
[2.9s] All tasks complete
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
