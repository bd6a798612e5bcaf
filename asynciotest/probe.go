package asynciotest

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// A probe is the Protocol CheckTransport connects to the transports under
// test. It records what they deliver and fails the test the moment a call
// breaks the contract of asyncio.Protocol: ConnectionMade once and first,
// DataReceived with data and only while reading, EOFReceived at most once,
// nothing after ConnectionLost, which comes once; PauseWriting and
// ResumeWriting in turn.
type probe struct {
	t        testing.TB
	name     string // "a" or "b", for messages
	tr       asyncio.Transport
	data     []byte
	eofs     int
	losts    int
	lostErr  error
	keepOpen bool // what EOFReceived returns
	pauses   int
	resumes  int
	// The transport's WriteBufferSize at the last PauseWriting and
	// ResumeWriting.
	pausedAt, resumedAt int
	onData              func(p []byte) // called after DataReceived records p
	changed             *asyncio.Event // set, and replaced, at every call
}

func newProbe(t testing.TB, name string) *probe {
	return &probe{t: t, name: name, changed: asyncio.NewEvent()}
}

// notify wakes whoever waits for a change.
func (p *probe) notify() {
	ev := p.changed
	p.changed = asyncio.NewEvent()
	ev.Set()
}

// await waits until cond holds, failing the test if ctx ends first.
func (p *probe) await(ctx context.Context, what string, cond func() bool) {
	p.t.Helper()
	for !cond() {
		if err := p.changed.Wait(ctx); err != nil {
			p.t.Fatalf("%s: waiting for %s: %v (received %d bytes, %d EOF, %d ConnectionLost)", p.name, what, err, len(p.data), p.eofs, p.losts)
		}
	}
}

// awaitData waits until n bytes have arrived.
func (p *probe) awaitData(ctx context.Context, n int) {
	p.t.Helper()
	p.await(ctx, "data", func() bool { return len(p.data) >= n })
}

// awaitLost waits for ConnectionLost.
func (p *probe) awaitLost(ctx context.Context) {
	p.t.Helper()
	p.await(ctx, "ConnectionLost", func() bool { return p.losts > 0 })
}

func (p *probe) violation(format string, args ...any) {
	p.t.Errorf("protocol %s: "+format, append([]any{p.name}, args...)...)
}

func (p *probe) ConnectionMade(t asyncio.Transport) {
	if p.tr != nil {
		p.violation("ConnectionMade called twice")
	}
	if p.losts > 0 {
		p.violation("ConnectionMade after ConnectionLost")
	}
	p.tr = t
	p.notify()
}

func (p *probe) DataReceived(b []byte) {
	p.checkData(len(b))
	p.data = append(p.data, b...)
	if p.onData != nil {
		p.onData(b)
	}
	p.notify()
}

// checkData checks that n bytes may be delivered now.
func (p *probe) checkData(n int) {
	switch {
	case p.tr == nil:
		p.violation("data before ConnectionMade")
	case n == 0:
		p.violation("DataReceived with no data")
	case p.eofs > 0:
		p.violation("data after EOFReceived")
	case p.losts > 0:
		p.violation("data after ConnectionLost")
	case !p.tr.IsReading():
		p.violation("data while the transport does not read (paused or closing)")
	}
}

func (p *probe) EOFReceived() bool {
	switch {
	case p.tr == nil:
		p.violation("EOFReceived before ConnectionMade")
	case p.eofs > 0:
		p.violation("EOFReceived called twice")
	case p.losts > 0:
		p.violation("EOFReceived after ConnectionLost")
	}
	p.eofs++
	p.notify()
	return p.keepOpen
}

func (p *probe) ConnectionLost(err error) {
	switch {
	case p.tr == nil:
		p.violation("ConnectionLost before ConnectionMade")
	case p.losts > 0:
		p.violation("ConnectionLost called twice (first with %v, now with %v)", p.lostErr, err)
	}
	p.losts++
	p.lostErr = err
	p.notify()
}

func (p *probe) PauseWriting() {
	if p.pauses != p.resumes {
		p.violation("PauseWriting twice without ResumeWriting")
	}
	p.pauses++
	p.pausedAt = p.tr.WriteBufferSize()
	p.notify()
}

func (p *probe) ResumeWriting() {
	if p.pauses != p.resumes+1 {
		p.violation("ResumeWriting without PauseWriting")
	}
	p.resumes++
	p.resumedAt = p.tr.WriteBufferSize()
	p.notify()
}

// A bufferedProbe is a probe that takes its data as an
// asyncio.BufferedProtocol, in a small buffer of its own, so that one read
// of the transport takes several buffers.
type bufferedProbe struct {
	*probe
	buf []byte
}

func (p *bufferedProbe) GetBuffer(sizeHint int) []byte {
	if p.buf == nil {
		p.buf = make([]byte, 1000)
	}
	return p.buf
}

func (p *bufferedProbe) BufferUpdated(n int) {
	if n > len(p.buf) {
		p.violation("BufferUpdated(%d) for a buffer of %d bytes", n, len(p.buf))
		return
	}
	p.checkData(n)
	p.data = append(p.data, p.buf[:n]...)
	p.notify()
}
