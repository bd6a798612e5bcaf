package asynciotest

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// MakePipe connects protocols a and b by a connection of the transport
// under test, on the loop of ctx: a's transport is one end, b's the other.
// It may return before the protocols' ConnectionMade has run; the check
// waits for it. stop, if not nil, runs at the end of the subtest, once
// both ends have lost the connection, to release what making it took,
// such as a listener; it may wait, as for a server's tasks to end.
type MakePipe func(ctx context.Context, a, b asyncio.Protocol) (stop func(ctx context.Context) error, err error)

// CheckTimeout is how long, on the loop's clock, one subtest of
// CheckTransport or CheckStreams may take before it fails, naming what it
// was waiting for: on a real clock a transport that loses data would
// otherwise hang the test.
const CheckTimeout = 30 * time.Second

// CheckTransport checks, in subtests, that the connections makePipe makes
// keep the contract of asyncio.Transport and asyncio.Protocol, as
// golang.org/x/net/nettest.TestConn does for a net.Conn: every byte
// arrives, in order, both ways at once; WriteEOF half-closes; Close sends
// what is buffered before the EOF; Abort drops it; ConnectionLost comes
// once, last; Write fails after Close and after WriteEOF; PauseReading
// stops DataReceived and ResumeReading resumes it; the write buffer's
// marks pause and resume a protocol implementing asyncio.WriteFlowControl;
// a BufferedProtocol gets the same bytes; SetProtocol moves the rest of the
// connection to the new protocol. Each subtest runs on its own loop, made
// by Run with opts: a transport over real sockets needs
// asyncio.WithClock(asyncio.NewRealClock()).
func CheckTransport(t *testing.T, makePipe MakePipe, opts ...asyncio.Option) {
	for _, c := range []struct {
		name  string
		check func(ctx context.Context, a, b *probe)
	}{
		{"BothWays", checkBothWays},
		{"EmptyWrite", checkEmptyWrite},
		{"Addresses", checkAddresses},
		{"HalfClose", checkHalfClose},
		{"CloseSendsBuffer", checkCloseSendsBuffer},
		{"BothClose", checkBothClose},
		{"CloseInDataReceived", checkCloseInDataReceived},
		{"Abort", checkAbort},
		{"PauseReading", checkPauseReading},
		{"WriteFlowControl", checkWriteFlowControl},
		{"WriteBufferLimits", checkWriteBufferLimits},
		{"SetProtocol", checkSetProtocol},
	} {
		t.Run(c.name, func(t *testing.T) {
			runPipe(t, makePipe, newProbe(t, "a"), newProbe(t, "b"), c.check, opts)
		})
	}
	t.Run("BufferedProtocol", func(t *testing.T) {
		runPipe(t, makePipe, newProbe(t, "a"), &bufferedProbe{probe: newProbe(t, "b")}, func(ctx context.Context, a, b *probe) {
			sent := pattern(0, 256<<10)
			write(a, sent)
			b.awaitData(ctx, len(sent))
			checkSame(b, sent)
		}, opts)
	})
}

// runPipe runs one subtest: it connects a and b with makePipe, waits until
// both are connected, runs check, and then ends both connections, waiting
// for ConnectionLost on each, so that nothing is left open.
func runPipe(t *testing.T, makePipe MakePipe, pa asyncio.Protocol, pb asyncio.Protocol, check func(ctx context.Context, a, b *probe), opts []asyncio.Option) {
	a, b := probeOf(pa), probeOf(pb)
	Run(t, func(ctx context.Context) error {
		return asyncio.Timeout(ctx, CheckTimeout, func(ctx context.Context) error {
			stop, err := makePipe(ctx, pa, pb)
			if err != nil {
				t.Fatalf("making the connection: %v", err)
			}
			a.await(ctx, "ConnectionMade", func() bool { return a.tr != nil })
			b.await(ctx, "ConnectionMade", func() bool { return b.tr != nil })
			check(ctx, a, b)
			for _, p := range []*probe{a, b} {
				if p.losts == 0 {
					p.tr.Abort()
				}
			}
			a.awaitLost(ctx)
			b.awaitLost(ctx)
			if stop != nil {
				return stop(ctx)
			}
			return nil
		})
	}, opts...)
}

func probeOf(p asyncio.Protocol) *probe {
	if bp, ok := p.(*bufferedProbe); ok {
		return bp.probe
	}
	return p.(*probe)
}

// pattern returns n bytes of a sequence that does not repeat within 251
// bytes, starting at seed: data that arrives shifted, reordered or mixed
// with the other direction's differs from what was sent.
func pattern(seed, n int) []byte {
	b := make([]byte, n)
	for i := range min(n, 251) {
		b[i] = byte((seed + i) % 251)
	}
	// The rest repeats the first 251 bytes: copy what is there, doubling.
	for i := 251; i < n; i *= 2 {
		copy(b[i:], b[:i])
	}
	return b
}

// write writes data to p's transport in writes of varied sizes, failing
// the test if one fails.
func write(p *probe, data []byte) {
	p.t.Helper()
	for i, size := 0, 1; len(data) > 0; i++ {
		n := min(size, len(data))
		if err := p.tr.Write(data[:n]); err != nil {
			p.t.Fatalf("%s: Write: %v", p.name, err)
		}
		data = data[n:]
		size = size*7%65521 + 1 // from 1 byte to 64 KiB, in no order
	}
}

// checkSame fails the test unless p received exactly want.
func checkSame(p *probe, want []byte) {
	p.t.Helper()
	if bytes.Equal(p.data, want) {
		return
	}
	i := 0
	for i < len(p.data) && i < len(want) && p.data[i] == want[i] {
		i++
	}
	p.t.Fatalf("%s received %d bytes, want %d; they differ from byte %d on", p.name, len(p.data), len(want), i)
}

// checkBothWays sends a mebibyte each way at once.
func checkBothWays(ctx context.Context, a, b *probe) {
	toB, toA := pattern(1, 1<<20), pattern(2, 1<<20)
	write(a, toB)
	write(b, toA)
	a.awaitData(ctx, len(toA))
	b.awaitData(ctx, len(toB))
	checkSame(a, toA)
	checkSame(b, toB)
}

// checkEmptyWrite: an empty write succeeds and delivers nothing; the
// probe fails the test if DataReceived gets an empty slice.
func checkEmptyWrite(ctx context.Context, a, b *probe) {
	for _, p := range [][]byte{nil, {}} {
		if err := a.tr.Write(p); err != nil {
			a.t.Fatalf("an empty Write: %v", err)
		}
	}
	if err := a.tr.Write([]byte("x")); err != nil {
		a.t.Fatalf("Write: %v", err)
	}
	b.awaitData(ctx, 1)
	checkSame(b, []byte("x"))
}

// checkAddresses: each end's local address is the other's remote one.
func checkAddresses(ctx context.Context, a, b *probe) {
	al, ar, bl, br := a.tr.LocalAddr(), a.tr.RemoteAddr(), b.tr.LocalAddr(), b.tr.RemoteAddr()
	if al != nil && br != nil && al.String() != br.String() {
		a.t.Errorf("a's local address is %v, b's remote one %v", al, br)
	}
	if bl != nil && ar != nil && bl.String() != ar.String() {
		a.t.Errorf("b's local address is %v, a's remote one %v", bl, ar)
	}
}

// checkHalfClose: a sends a request and shuts its write side; b reads to
// the EOF, answers on its still open side, and closes; a reads the answer,
// then its EOF, and closes by returning false from EOFReceived.
func checkHalfClose(ctx context.Context, a, b *probe) {
	if !a.tr.CanWriteEOF() {
		a.t.Skip("the transport cannot write an EOF")
	}
	request, response := pattern(3, 100<<10), pattern(4, 100<<10)
	write(a, request)
	if err := a.tr.WriteEOF(); err != nil {
		a.t.Fatalf("WriteEOF: %v", err)
	}
	if err := a.tr.WriteEOF(); err != nil {
		a.t.Errorf("a second WriteEOF: %v, want nil", err)
	}
	if err := a.tr.Write([]byte("late")); err == nil {
		a.t.Errorf("Write after WriteEOF succeeded")
	}
	if a.tr.IsClosing() {
		a.t.Errorf("IsClosing after WriteEOF: only the write side is shut")
	}
	b.keepOpen = true
	b.await(ctx, "EOFReceived", func() bool { return b.eofs > 0 })
	checkSame(b, request)
	write(b, response)
	if err := b.tr.Close(); err != nil {
		b.t.Fatalf("Close: %v", err)
	}
	a.await(ctx, "EOFReceived", func() bool { return a.eofs > 0 })
	checkSame(a, response)
	a.awaitLost(ctx)
	b.awaitLost(ctx)
	for _, p := range []*probe{a, b} {
		if p.lostErr != nil {
			p.t.Errorf("%s: ConnectionLost(%v) after a regular close, want nil", p.name, p.lostErr)
		}
	}
}

// checkCloseSendsBuffer: Close sends what is buffered, then the EOF, and
// the transport refuses writes from the call on.
func checkCloseSendsBuffer(ctx context.Context, a, b *probe) {
	sent := pattern(5, 2<<20)
	write(a, sent)
	if err := a.tr.Close(); err != nil {
		a.t.Fatalf("Close: %v", err)
	}
	if !a.tr.IsClosing() {
		a.t.Errorf("IsClosing after Close is false")
	}
	if err := a.tr.Write([]byte("late")); err == nil {
		a.t.Errorf("Write after Close succeeded")
	}
	if err := a.tr.Close(); err != nil {
		a.t.Errorf("a second Close: %v, want nil", err)
	}
	b.await(ctx, "EOFReceived", func() bool { return b.eofs > 0 })
	checkSame(b, sent)
	a.awaitLost(ctx)
	b.awaitLost(ctx) // b's EOFReceived returned false: it closed
	if a.lostErr != nil || b.lostErr != nil {
		a.t.Errorf("ConnectionLost(%v) and (%v) after a regular close, want nil", a.lostErr, b.lostErr)
	}
}

// checkBothClose: both ends close at once, and each hears of it once.
func checkBothClose(ctx context.Context, a, b *probe) {
	a.tr.Close()
	b.tr.Close()
	a.awaitLost(ctx)
	b.awaitLost(ctx)
	if a.lostErr != nil || b.lostErr != nil {
		a.t.Errorf("ConnectionLost(%v) and (%v) after a regular close, want nil", a.lostErr, b.lostErr)
	}
}

// checkCloseInDataReceived: a protocol that closes its transport from
// DataReceived hears nothing more but ConnectionLost.
func checkCloseInDataReceived(ctx context.Context, a, b *probe) {
	b.onData = func([]byte) { b.tr.Close() }
	write(a, pattern(6, 1<<20))
	b.awaitLost(ctx)
	a.await(ctx, "EOF or ConnectionLost", func() bool { return a.eofs > 0 || a.losts > 0 })
}

// checkAbort: Abort empties the buffer and ends the connection at once;
// the peer gets a prefix of what was sent (all of it, if the transport had
// handed everything to a writer it cannot call back), then loses the
// connection, with an EOF or a reset.
func checkAbort(ctx context.Context, a, b *probe) {
	b.tr.PauseReading()
	sent := fill(ctx, a, b) // a's buffer is past its high mark
	a.tr.Abort()
	if !a.tr.IsClosing() {
		a.t.Errorf("IsClosing after Abort is false")
	}
	if err := a.tr.Write([]byte("late")); err == nil {
		a.t.Errorf("Write after Abort succeeded")
	}
	a.awaitLost(ctx)
	if a.lostErr != nil {
		a.t.Errorf("ConnectionLost(%v) after Abort, want nil", a.lostErr)
	}
	if n := a.tr.WriteBufferSize(); n != 0 {
		a.t.Errorf("WriteBufferSize is %d after Abort, want 0", n)
	}
	b.tr.ResumeReading()
	b.awaitLost(ctx)
	if !bytes.HasPrefix(sent, b.data) {
		b.t.Errorf("after the abort the peer got %d bytes that are not a prefix of what was sent", len(b.data))
	}
}

// fill writes to p until its transport pauses it, failing the test if it
// never does, or if paused, whose reading is paused, gets data meanwhile.
// It yields between writes, so a transport that sends in callbacks does.
func fill(ctx context.Context, p, paused *probe) []byte {
	p.t.Helper()
	var sent []byte
	for seed := 0; p.pauses == p.resumes; seed++ {
		if len(sent) > 64<<20 {
			p.t.Fatalf("%s: wrote %d bytes to a peer that does not read and was never paused", p.name, len(sent))
		}
		chunk := pattern(seed, 64<<10)
		if err := p.tr.Write(chunk); err != nil {
			p.t.Fatalf("%s: Write: %v", p.name, err)
		}
		sent = append(sent, chunk...)
		if err := asyncio.Sleep(ctx, 0); err != nil {
			p.t.Fatalf("%s: %v", p.name, err)
		}
		if len(paused.data) > 0 {
			p.t.Fatalf("%s: %d bytes arrived while reading was paused", paused.name, len(paused.data))
		}
	}
	return sent
}

// checkPauseReading: no data arrives while reading is paused, however
// much is sent (the writer is paused in the end), and all of it arrives
// once reading resumes.
func checkPauseReading(ctx context.Context, a, b *probe) {
	b.tr.PauseReading()
	b.tr.PauseReading() // twice is harmless
	if b.tr.IsReading() {
		b.t.Errorf("IsReading after PauseReading")
	}
	sent := fill(ctx, a, b)
	b.tr.ResumeReading()
	if !b.tr.IsReading() {
		b.t.Errorf("IsReading is false after ResumeReading")
	}
	b.awaitData(ctx, len(sent))
	checkSame(b, sent)
}

// checkWriteFlowControl: the protocol is paused once the buffer is above
// the high mark and resumed once it is at or below the low one.
func checkWriteFlowControl(ctx context.Context, a, b *probe) {
	const high, low = 32 << 10, 8 << 10
	if err := a.tr.SetWriteBufferLimits(high, low); err != nil {
		a.t.Fatalf("SetWriteBufferLimits(%d, %d): %v", high, low, err)
	}
	if h, l := a.tr.WriteBufferLimits(); h != high || l != low {
		a.t.Fatalf("WriteBufferLimits = %d, %d after SetWriteBufferLimits(%d, %d)", h, l, high, low)
	}
	b.tr.PauseReading()
	sent := fill(ctx, a, b)
	if a.pausedAt <= high {
		a.t.Errorf("PauseWriting with %d bytes buffered, at most the high mark %d", a.pausedAt, high)
	}
	b.tr.ResumeReading()
	a.await(ctx, "ResumeWriting", func() bool { return a.resumes == a.pauses })
	if a.resumedAt > low {
		a.t.Errorf("ResumeWriting with %d bytes buffered, above the low mark %d", a.resumedAt, low)
	}
	b.awaitData(ctx, len(sent))
	checkSame(b, sent)
}

// checkWriteBufferLimits: the defaults of SetWriteBufferLimits (a
// negative mark is asyncio's None), and its error for a high mark below
// the low one, which changes nothing.
func checkWriteBufferLimits(ctx context.Context, a, b *probe) {
	for _, c := range []struct{ high, low, wantHigh, wantLow int }{
		{-1, -1, asyncio.DefaultWriteHigh, asyncio.DefaultWriteLow},
		{1000, -1, 1000, 250},
		{-1, 100, 400, 100},
		{4096, 0, 4096, 0},
		{0, -1, 0, 0},
		{100, 100, 100, 100},
	} {
		if err := a.tr.SetWriteBufferLimits(c.high, c.low); err != nil {
			a.t.Errorf("SetWriteBufferLimits(%d, %d): %v", c.high, c.low, err)
		}
		if h, l := a.tr.WriteBufferLimits(); h != c.wantHigh || l != c.wantLow {
			a.t.Errorf("SetWriteBufferLimits(%d, %d): WriteBufferLimits = %d, %d, want %d, %d", c.high, c.low, h, l, c.wantHigh, c.wantLow)
		}
	}
	for _, c := range [][2]int{{100, 500}, {0, 1}} {
		if err := a.tr.SetWriteBufferLimits(c[0], c[1]); !errors.Is(err, asyncio.ErrWriteBufferLimits) {
			a.t.Errorf("SetWriteBufferLimits(%d, %d) = %v, want an error wrapping ErrWriteBufferLimits", c[0], c[1], err)
		}
		if h, l := a.tr.WriteBufferLimits(); h != 100 || l != 100 {
			a.t.Errorf("WriteBufferLimits = %d, %d after a failed SetWriteBufferLimits(%d, %d), want the marks before it, 100, 100", h, l, c[0], c[1])
		}
	}
	if n := a.tr.WriteBufferSize(); n != 0 {
		a.t.Errorf("WriteBufferSize of an idle transport is %d", n)
	}
}

// checkSetProtocol: after SetProtocol the new protocol gets the rest of
// the connection, and the old one nothing.
func checkSetProtocol(ctx context.Context, a, b *probe) {
	write(a, []byte("one"))
	b.awaitData(ctx, 3)
	c := newProbe(b.t, "c")
	c.tr = b.tr // SetProtocol does not call ConnectionMade
	b.tr.SetProtocol(c)
	if b.tr.Protocol() != asyncio.Protocol(c) {
		b.t.Errorf("Protocol() does not return the protocol SetProtocol set")
	}
	write(a, []byte("two"))
	a.tr.Close()
	c.awaitLost(ctx)
	checkSame(c, []byte("two"))
	checkSame(b, []byte("one"))
	if b.eofs != 0 || b.losts != 0 {
		b.t.Errorf("the old protocol got %d EOFReceived and %d ConnectionLost after SetProtocol", b.eofs, b.losts)
	}
	b.losts = 1 // c stands for it now: runPipe waits for no more
	a.awaitLost(ctx)
}
