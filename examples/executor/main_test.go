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
	const want = `Calling the blocking function directly, on the loop:
Blocking operation started
Blocking operation complete
Result: Blocking result
Ticker ran while the blocking call was in progress: false (0 of 3 turns)

Running it in the default executor with ToThread:
Blocking operation started
Blocking operation complete
Result: Blocking result
Ticker ran while the blocking call was in progress: true (3 of 3 turns)

Running three at once in a custom executor:
Blocking operation started
Blocking operation started
Blocking operation started
Blocking operation complete
Blocking operation complete
Blocking operation complete
All results: ["Blocking result" "Blocking result" "Blocking result"]
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
