package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun blocks the loop for 1 s rather than the seed's 2 s: the watchdog
// reports the step once it has blocked for 100 ms, and the 900 ms left
// cover a loaded machine's delay in running the watchdog's goroutine (the
// report must come before the step ends for the output to match).
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, time.Second); err != nil {
		t.Fatal(err)
	}
	const want = `Starting
watchdog: task "problematic_code" has blocked the loop for over 100ms; it is at:
    main.problematicCode main.go:39
    main.run.func3.2 main.go:83
Complete
level=WARN msg="asyncio: slow task step" task=problematic_code ended="task returned"
ticker ticked 0 times while the loop was blocked; a timer fired at least 900ms late: true
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
