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
	const want = ` 250ms tick
 300ms Oslo: -3°C, snow
 450ms Lima: 22°C, cloudy
 500ms tick
 600ms Lisbon: 19°C, sunny
 600ms three SDK calls done, the ticker never stopped
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
