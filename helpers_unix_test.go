//go:build unix

package asyncio_test

import (
	"context"
	"net"
	"os"
	"testing"

	"github.com/asyncio-go/asyncio"
	"golang.org/x/sys/unix"
)

// The helpers the network tests share: the conformance runner (runIO),
// protocols that record or echo, and socket counting.

// idle is a protocol that never reads.
type idle struct{ asyncio.BaseProtocol }

// echo is a protocol that writes back what it reads.
type echo struct {
	asyncio.BaseProtocol
	t asyncio.Transport
}

func (e *echo) ConnectionMade(t asyncio.Transport) { e.t = t }

func (e *echo) DataReceived(p []byte) { e.t.Write(p) }

func itoa(n int) string { return (&net.TCPAddr{Port: n}).String()[1:] }

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	return len(entries)
}

// recorder is a protocol that records what its transport tells it.
type recorder struct {
	asyncio.BaseProtocol
	t        asyncio.Transport
	made     bool
	data     []byte
	eofs     int
	keepOpen bool
	lost     *asyncio.Future[error]
	events   []string
	eof      *asyncio.Event // set by EOFReceived
	want     int            // received is set once len(data) >= want
	received *asyncio.Event
	resumed  *asyncio.Event // set by ResumeWriting
}

// waitData waits until the recorder holds n bytes.
func (r *recorder) waitData(ctx context.Context, n int) error {
	r.want = n
	if len(r.data) >= n {
		return nil
	}
	r.received.Clear()
	return r.received.Wait(ctx)
}

func (r *recorder) ConnectionMade(t asyncio.Transport) {
	r.t, r.made = t, true
	r.events = append(r.events, "made")
}

func (r *recorder) DataReceived(p []byte) {
	r.data = append(r.data, p...)
	if r.want > 0 && len(r.data) >= r.want {
		r.received.Set()
	}
}

func (r *recorder) EOFReceived() bool {
	r.eofs++
	r.eof.Set()
	r.events = append(r.events, "eof")
	return r.keepOpen
}

func (r *recorder) ConnectionLost(err error) {
	r.events = append(r.events, "lost")
	r.lost.SetResult(err)
}

func (r *recorder) PauseWriting() { r.events = append(r.events, "pause") }

func (r *recorder) ResumeWriting() {
	r.events = append(r.events, "resume")
	r.resumed.Set()
}

func newRecorder(ctx context.Context) *recorder {
	return &recorder{lost: asyncio.NewFuture[error](ctx), eof: asyncio.NewEvent(), received: asyncio.NewEvent(), resumed: asyncio.NewEvent()}
}

// transportPair connects two recorders through a socket pair.
func transportPair(ctx context.Context, t *testing.T) (a, b *recorder) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, b = newRecorder(ctx), newRecorder(ctx)
	for i, r := range []*recorder{a, b} {
		asyncio.SetNonblock(fds[i])
		if _, err := asyncio.NewSocketTransport(ctx, fds[i], r); err != nil {
			t.Fatal(err)
		}
	}
	asyncio.Sleep(ctx, 0) // ConnectionMade is scheduled, not inline
	if !a.made || !b.made {
		t.Fatal("ConnectionMade did not run")
	}
	return a, b
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
