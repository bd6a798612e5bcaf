//go:build linux || darwin || freebsd || dragonfly

package poller

import (
	"os"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func newPipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

func mustNew(t *testing.T) *Poller {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestReadinessIsLevelTriggered(t *testing.T) {
	p := mustNew(t)
	r, w := newPipe(t)
	if err := p.Add(int(r.Fd()), true, false); err != nil {
		t.Fatal(err)
	}
	events := make([]Event, 8)
	if n, _ := p.Wait(0, events); n != 0 {
		t.Fatalf("an empty pipe was reported ready: %+v", events[:n])
	}
	w.Write([]byte("ab"))
	for round := range 2 { // still readable: reported again
		n, err := p.Wait(time.Second, events)
		if err != nil || n != 1 || events[0].FD != int(r.Fd()) || !events[0].Readable {
			t.Fatalf("round %d: %d events %+v, %v", round, n, events[:n], err)
		}
	}
	buf := make([]byte, 2)
	r.Read(buf)
	if n, _ := p.Wait(0, events); n != 0 {
		t.Fatalf("a drained pipe was reported ready: %+v", events[:n])
	}
	if err := p.Remove(int(r.Fd())); err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("c"))
	if n, _ := p.Wait(0, events); n != 0 {
		t.Fatalf("a removed descriptor was reported: %+v", events[:n])
	}
}

func TestWritableAndModify(t *testing.T) {
	p := mustNew(t)
	_, w := newPipe(t)
	fd := int(w.Fd())
	if err := p.Add(fd, false, true); err != nil {
		t.Fatal(err)
	}
	events := make([]Event, 8)
	if n, _ := p.Wait(time.Second, events); n != 1 || !events[0].Writable {
		t.Fatalf("an empty pipe's write end: %+v", events[:n])
	}
	if err := p.Modify(fd, false, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := p.Wait(0, events); n != 0 {
		t.Fatalf("no interest left, yet reported: %+v", events[:n])
	}
}

// waitTimesOut checks that a Wait with a short timeout blocks for all of it:
// no wake is pending.
func waitTimesOut(t *testing.T, p *Poller) {
	t.Helper()
	events := make([]Event, 8)
	start := time.Now()
	if n, _ := p.Wait(20*time.Millisecond, events); n != 0 {
		t.Fatalf("%d events", n)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("Wait returned before its timeout: a stale wake was left")
	}
}

func TestWakeInterruptsWait(t *testing.T) {
	p := mustNew(t)
	done := make(chan int)
	go func() {
		n, _ := p.Wait(-1, make([]Event, 8))
		done <- n
	}()
	// One wake only: a second one could land after the Wait consumed the
	// first, and would then rightly be kept for the next Wait
	// (TestWakeAfterWaitIsKept).
	p.Wake()
	if n := <-done; n != 0 {
		t.Fatalf("a wake was reported as %d events", n)
	}
	waitTimesOut(t, p) // the wake was consumed
}

func TestWakesBeforeWaitCoalesce(t *testing.T) {
	p := mustNew(t)
	p.Wake()
	p.Wake() // a burst costs one wake
	if n, _ := p.Wait(-1, make([]Event, 8)); n != 0 {
		t.Fatalf("a wake was reported as %d events", n)
	}
	waitTimesOut(t, p)
}

// TestWakeAfterWaitIsKept is the case a loop relies on: a Wake that comes
// after a Wait consumed the previous one may follow the loop's last look at
// its queue, so the next Wait must not block.
func TestWakeAfterWaitIsKept(t *testing.T) {
	p := mustNew(t)
	events := make([]Event, 8)
	p.Wake()
	if n, _ := p.Wait(-1, events); n != 0 {
		t.Fatalf("a wake was reported as %d events", n)
	}
	p.Wake()
	start := time.Now()
	if n, _ := p.Wait(time.Minute, events); n != 0 {
		t.Fatalf("a wake was reported as %d events", n)
	}
	if time.Since(start) > 30*time.Second {
		t.Fatal("a wake after a Wait was lost")
	}
	waitTimesOut(t, p)
}

func TestHangupIsReadable(t *testing.T) {
	p := mustNew(t)
	r, w := newPipe(t)
	p.Add(int(r.Fd()), true, false)
	w.Close()
	events := make([]Event, 8)
	if n, _ := p.Wait(time.Second, events); n != 1 || !events[0].Readable {
		t.Fatalf("closed write end: %+v", events[:n])
	}
}

func TestTimeoutMillisRoundsUp(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want int
	}{{-1, -1}, {0, 0}, {time.Microsecond, 1}, {time.Millisecond, 1}, {1500 * time.Microsecond, 2}} {
		if got := timeoutMillis(c.d); got != c.want {
			t.Errorf("timeoutMillis(%v) = %d, want %d", c.d, got, c.want)
		}
	}
}
