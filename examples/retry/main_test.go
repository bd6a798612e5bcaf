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
	const want = `A service that fails three times, then answers:
  attempt 1 at 0s: failed
  retrying in 196ms
  attempt 2 at 250ms: failed
  retrying in 382ms
  attempt 3 at 680ms: failed
  retrying in 470ms
  attempt 4 at 1.2s: ok
  got "the data" after 1.25s
A service that is down, with 4 attempts allowed:
  attempt 1 at 0s: failed
  retrying in 176ms
  attempt 2 at 230ms: failed
  retrying in 310ms
  attempt 3 at 590ms: failed
  retrying in 439ms
  attempt 4 at 1.08s: failed
  patterns: gave up after 4 attempts: service unavailable after 1.13s
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
