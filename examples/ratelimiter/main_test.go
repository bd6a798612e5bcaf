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
	const want = `3 requests per second, evenly spaced:
  request  1 ran at 0s    (second 0)
  request  2 ran at 300ms (second 0)
  request  3 ran at 700ms (second 0)
  request  4 ran at 1s    (second 1)
  request  5 ran at 1.3s  (second 1)
  request  6 ran at 1.7s  (second 1)
  request  7 ran at 2s    (second 2)
  request  8 ran at 2.3s  (second 2)
  request  9 ran at 2.7s  (second 2)
  request 10 ran at 3s    (second 3)
  second 0: 3 requests (1 2 3)
  second 1: 3 requests (4 5 6)
  second 2: 3 requests (7 8 9)
  second 3: 1 request (10)
3 requests per second, in bursts of up to 3:
  request  1 ran at 0s    (second 0)
  request  2 ran at 0s    (second 0)
  request  3 ran at 0s    (second 0)
  request  4 ran at 300ms (second 0)
  request  5 ran at 700ms (second 0)
  request  6 ran at 1s    (second 1)
  request  7 ran at 1.3s  (second 1)
  request  8 ran at 1.7s  (second 1)
  request  9 ran at 2s    (second 2)
  request 10 ran at 2.3s  (second 2)
  second 0: 5 requests (1 2 3 4 5)
  second 1: 3 requests (6 7 8)
  second 2: 2 requests (9 10)
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
