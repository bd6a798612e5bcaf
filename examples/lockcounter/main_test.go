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
	const want = `Task-1: counter=1
Task-2: counter=1
Task-3: counter=1
Task-4: counter=1
Task-5: counter=1
Without lock: 1 (expected 5: 4 updates lost) in 0.1s

Task-1: acquired lock
Task-1: released lock, counter=1
Task-2: acquired lock
Task-2: released lock, counter=2
Task-3: acquired lock
Task-3: released lock, counter=3
Task-4: acquired lock
Task-4: released lock, counter=4
Task-5: acquired lock
Task-5: released lock, counter=5
With lock: 5 (expected 5) in 0.5s
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
