package main

import (
	"bytes"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun blocks the loop for 300 ms rather than the seed's 2 s: the
// watchdog reports the step once it has blocked for 100 ms.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, 300*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	const want = `Starting
watchdog: task "problematic_code" has blocked the loop for over 100ms; it is at:
    main.problematicCode main.go:39
    main.run.func3.2 main.go:83
Complete
level=WARN msg="asyncio: slow task step" task=problematic_code ended="task returned"
ticker ticked 0 times while the loop was blocked; a timer fired at least 200ms late: true
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
