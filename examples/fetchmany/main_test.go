package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs the program on a virtual clock, so its timings are exact.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `/delay/300   200, 14 bytes
/json        200, 55 bytes
/status/500  failed: status 500
/delay/2000  failed: no answer within 1s
/delay/100   200, 14 bytes
/delay/600   200, 14 bytes
/json        200, 55 bytes
7 URLs, 3 at a time, in 1s
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
