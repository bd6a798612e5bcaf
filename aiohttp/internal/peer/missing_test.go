package peer_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// recorder is a testing.TB that records how a test would have ended,
// where the real one would end it.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Helper() {}

func (r *recorder) Skipf(format string, args ...any) {
	r.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// record runs f with a recorder standing in for t, on a goroutine of its
// own that the recorder's Skipf and Fatalf end, and returns the recorder.
func record(t *testing.T, f func(testing.TB)) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(r)
	}()
	<-done
	return r
}

func TestMissingSkips(t *testing.T) {
	for _, ci := range []string{"", "false", "1"} {
		t.Setenv("CI", ci)
		r := record(t, func(tb testing.TB) { peer.LookPath(tb, "no-such-peer", "peer-pkg") })
		if r.failed != "" || !strings.Contains(r.skipped, "no-such-peer not found") ||
			!strings.Contains(r.skipped, "apt-get install peer-pkg") || !strings.Contains(r.skipped, "CI=true") {
			t.Errorf("CI=%q: skipped %q, failed %q; want a skip naming the program, its package and CI=true", ci, r.skipped, r.failed)
		}
	}
}

func TestMissingFailsInCI(t *testing.T) {
	t.Setenv("CI", "true")
	r := record(t, func(tb testing.TB) { peer.LookPath(tb, "no-such-peer", "peer-pkg") })
	if r.skipped != "" || !strings.Contains(r.failed, "no-such-peer not found") || !strings.Contains(r.failed, "CI=true") {
		t.Errorf("skipped %q, failed %q; want a failure naming the program and CI=true", r.skipped, r.failed)
	}
}

func TestLookPathFinds(t *testing.T) {
	r := record(t, func(tb testing.TB) { peer.LookPath(tb, "go", "golang") })
	if r.skipped != "" || r.failed != "" {
		t.Errorf("go, which runs this test, was not found: skipped %q, failed %q", r.skipped, r.failed)
	}
}

func TestPythonAiohttpServerBroken(t *testing.T) {
	r := record(t, func(tb testing.TB) { peer.PythonAiohttpServer(tb, "routes = (") })
	if r.skipped != "" {
		t.Skip(r.skipped)
	}
	if !strings.Contains(r.failed, "exited before it was ready") || !strings.Contains(r.failed, "SyntaxError") {
		t.Errorf("failed %q, want the server's exit and its traceback", r.failed)
	}
}
