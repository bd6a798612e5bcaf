package asynciotest

import (
	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"strings"
	"testing"
	"time"
)

// GoroutineGrace is how long, in real time, CheckGoroutines gives the
// goroutines a test started to end once it is over. A goroutine on its way
// out, told to stop by the test's last call, needs a moment to be gone.
const GoroutineGrace = 5 * time.Second

// CheckGoroutines fails t if a goroutine started after the call is still
// running when t ends, listing each with its stack. The check runs as a
// cleanup of t, so after the cleanups registered later (which may stop
// what the test started), and gives the goroutines that are ending
// GoroutineGrace to finish. Call it first thing in a test.
//
// It counts every goroutine of the process, so it cannot tell a goroutine
// of t from one of a test running in parallel with it: use it in tests
// that do not call t.Parallel. A loop
// that closes ends all of its goroutines (those of its tasks, its I/O and
// its default executor), so code that closes its loops passes.
func CheckGoroutines(t testing.TB) {
	t.Helper()
	checkGoroutines(t, GoroutineGrace)
}

func checkGoroutines(t testing.TB, grace time.Duration) {
	t.Helper()
	before := make(map[string]bool)
	for _, g := range goroutines() {
		before[g.id] = true
	}
	t.Cleanup(func() {
		var left []goroutine
		deadline := time.Now().Add(grace)
		for {
			left = left[:0]
			for _, g := range goroutines() {
				if !before[g.id] && !ignoredGoroutine(g.stack) {
					left = append(left, g)
				}
			}
			if len(left) == 0 || time.Now().After(deadline) {
				break
			}
			// Polling the runtime: a goroutine's end sends no event one
			// could wait for.
			time.Sleep(5 * time.Millisecond)
		}
		if len(left) == 0 {
			return
		}
		stacks := make([]string, len(left))
		for i, g := range left {
			stacks[i] = g.stack
		}
		t.Errorf("asynciotest: %d goroutine(s) started by the test outlived it:\n\n%s", len(left), strings.Join(stacks, "\n\n"))
	})
}

// A goroutine is one goroutine of a dump of all of them: its id and its
// stack, header included.
type goroutine struct {
	id, stack string
}

// goroutines lists the goroutines of the process but the calling one.
func goroutines() []goroutine {
	var out []goroutine
	for _, stack := range leakcheck.Goroutines() {
		// "goroutine 42 [chan receive]:"
		id, _, _ := strings.Cut(strings.TrimPrefix(stack, "goroutine "), " ")
		out = append(out, goroutine{id: id, stack: stack})
	}
	return out
}

// ignoredGoroutine reports whether a goroutine belongs to the runtime or
// the testing package, which start goroutines of their own as they need
// them (for signals, for the next test) and keep them.
func ignoredGoroutine(stack string) bool {
	for _, s := range []string{
		"testing.(*M).",
		"testing.(*T).Run",
		"testing.tRunner.func1",
		"testing.runFuzzTests",
		"os/signal.signal_recv",
		"os/signal.loop",
		"runtime.ensureSigM",
		"created by runtime.gc",
		"runtime.goexit0",
		"runtime/trace.Start",
	} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}
