// Package leakcheck fails a test binary that leaves goroutines behind. Every
// package's TestMain calls Main, so a loop that does not end all of its
// task goroutines on Close is caught.
package leakcheck

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Main runs the tests of m, then checks that no goroutine is left but the
// ones the runtime and the testing package keep, and exits.
func Main(m *testing.M) {
	code := m.Run()
	if code == 0 {
		if leaked := Leaked(5 * time.Second); len(leaked) > 0 {
			fmt.Fprintf(os.Stderr, "leakcheck: %d goroutine(s) outlived the tests:\n\n%s\n", len(leaked), strings.Join(leaked, "\n\n"))
			code = 1
		}
	}
	os.Exit(code)
}

// Leaked returns the stacks of the goroutines that are still running after
// waiting up to grace for them to end. Goroutines of the runtime, of the
// testing package and of signal handling are not counted.
func Leaked(grace time.Duration) []string {
	deadline := time.Now().Add(grace)
	for {
		leaked := interesting()
		if len(leaked) == 0 || time.Now().After(deadline) {
			return leaked
		}
		// Goroutines that are ending need a moment to be gone; this is a
		// poll of the runtime, not a synchronisation of test logic.
		time.Sleep(10 * time.Millisecond)
	}
}

func interesting() []string {
	var out []string
	for _, g := range Goroutines() {
		if !ignored(g) {
			out = append(out, g)
		}
	}
	return out
}

// Goroutines returns the stack of every goroutine but the calling one,
// each with its header line ("goroutine 42 [chan receive]:").
func Goroutines() []string {
	buf := make([]byte, 1<<16)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			buf = buf[:n]
			break
		}
		buf = make([]byte, 2*len(buf))
	}
	return strings.Split(string(buf), "\n\n")[1:] // the first is the caller's
}

func ignored(stack string) bool {
	for _, s := range []string{
		"testing.(*M).",
		"testing.runFuzzTests",
		"testing.tRunner.func1",
		"os/signal.signal_recv",
		"os/signal.loop",
		"runtime.goexit0",
		"runtime.ensureSigM",
		"created by runtime.gc",
		"runtime.ReadTrace",
		"runtime/trace.Start",
		"created by testing.(*T).Run", // reported by the testing package itself
	} {
		if strings.Contains(stack, s) {
			return true
		}
	}
	return false
}
