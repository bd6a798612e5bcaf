//go:build linux

package asyncio_test

// The fault part of the network conformance suite: what a connection, a
// server and a loop do when the peer resets, half-closes, reads slowly or
// sends too much, when the process runs out of descriptors, under churn,
// and when the loop closes under open connections. Every test runs on each
// I/O backend.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"
	"math/rand/v2"
	"net"
	"runtime"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio"
)

// guard bounds a wait of a fault test in real time, so that a failure
// fails instead of hanging; it synchronises nothing.
const guard = 20 * time.Second

// within runs fn under a timeout of guard, naming what timed out.
func within(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	err := asyncio.Timeout(ctx, guard, fn)
	if errors.Is(err, asyncio.ErrTimeout) {
		return fmt.Errorf("%s: not done within %v", what, guard)
	}
	return err
}

// waitLost waits, under guard, for the ConnectionLost of a recorder or
// pump and returns its error; it ends the test if none comes.
func waitLost(ctx context.Context, t *testing.T, what string, f *asyncio.Future[error]) error {
	t.Helper()
	lostErr, err := asyncio.WaitFor(ctx, guard, f.Wait)
	if err != nil {
		t.Fatalf("%s: waiting for ConnectionLost: %v", what, err)
	}
	return lostErr
}

// pump is a protocol that sends total pseudo-random bytes, writing only
// while its transport has not paused it, then closes (or shuts its write
// side). It hashes what it sends and records the largest write buffer it
// saw.
type pump struct {
	asyncio.BaseProtocol
	t         asyncio.Transport
	src       *rand.ChaCha8
	sum       hash.Hash
	chunk     []byte
	total     int
	sent      int
	paused    bool
	pauses    int
	peak      int   // largest WriteBufferSize after a Write
	writeErr  error // the first error a Write returned
	lost      *asyncio.Future[error]
	lostCalls int
	late      []string // callbacks after ConnectionLost
	pausedEv  *asyncio.Event
	high, low int  // the transport's marks, if high > 0
	endEOF    bool // end with WriteEOF instead of Close
	ended     bool
}

const pumpChunk = 64 << 10

func newPump(ctx context.Context, total int) *pump {
	return &pump{
		src: rand.NewChaCha8([32]byte{1, 2, 3}), sum: sha256.New(),
		chunk: make([]byte, pumpChunk), total: total,
		lost: asyncio.NewFuture[error](ctx), pausedEv: asyncio.NewEvent(),
	}
}

func (p *pump) ConnectionMade(t asyncio.Transport) {
	p.t = t
	if p.high > 0 {
		t.SetWriteBufferLimits(p.high, p.low)
	}
	p.fill()
}

// fill writes until paused, done or closing.
func (p *pump) fill() {
	for !p.paused && !p.t.IsClosing() && p.sent < p.total {
		b := p.chunk[:min(len(p.chunk), p.total-p.sent)]
		p.src.Read(b)
		p.sum.Write(b)
		if err := p.t.Write(b); err != nil {
			if p.writeErr == nil {
				p.writeErr = err
			}
			return
		}
		p.sent += len(b)
		p.peak = max(p.peak, p.t.WriteBufferSize())
	}
	if p.sent == p.total && !p.ended && !p.t.IsClosing() {
		p.ended = true
		if p.endEOF {
			p.t.WriteEOF()
		} else {
			p.t.Close()
		}
	}
}

func (p *pump) PauseWriting() {
	if p.lost.Done() {
		p.late = append(p.late, "pause")
	}
	p.paused = true
	p.pauses++
	p.pausedEv.Set()
}

func (p *pump) ResumeWriting() {
	if p.lost.Done() {
		p.late = append(p.late, "resume")
	}
	p.paused = false
	p.fill()
}

func (p *pump) DataReceived([]byte) {
	if p.lost.Done() {
		p.late = append(p.late, "data")
	}
}

func (p *pump) EOFReceived() bool {
	if p.lost.Done() {
		p.late = append(p.late, "eof")
	}
	return true
}

func (p *pump) ConnectionLost(err error) {
	p.lostCalls++
	p.lost.TrySetResult(err)
}

// resetter aborts its connection as soon as data arrives: the socket is
// closed with unread data, so the kernel answers with a reset.
type resetter struct {
	asyncio.BaseProtocol
	t    asyncio.Transport
	lost *asyncio.Future[error]
}

func (r *resetter) ConnectionMade(t asyncio.Transport) { r.t = t }
func (r *resetter) DataReceived([]byte)                { r.t.Abort() }
func (r *resetter) ConnectionLost(err error)           { r.lost.TrySetResult(err) }

// A peer that resets the connection while the client writes more than the
// socket buffers hold: the writer's protocol hears ConnectionLost once,
// with the reset (or the broken pipe that follows it) as a *net.OpError,
// and writes fail with ErrTransportClosing from then on.
func TestFaultPeerResetMidWrite(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srvSide := &resetter{lost: asyncio.NewFuture[error](ctx)}
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return srvSide })
		if err != nil {
			return err
		}
		defer srv.Close()
		w := newPump(ctx, 256<<20) // until the reset; 256 MiB is a bound
		if _, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return w }); err != nil {
			return err
		}
		lostErr := waitLost(ctx, t, "the writer", w.lost)
		t.Logf("%d bytes written before the reset; ConnectionLost(%v)", w.sent, lostErr)
		var oe *net.OpError
		switch {
		case lostErr == nil:
			t.Error("ConnectionLost(nil) after a reset by the peer")
		case !errors.As(lostErr, &oe):
			t.Errorf("ConnectionLost(%T %v), want a *net.OpError", lostErr, lostErr)
		case !errors.Is(lostErr, syscall.ECONNRESET) && !errors.Is(lostErr, syscall.EPIPE):
			t.Errorf("ConnectionLost(%v), want ECONNRESET or EPIPE", lostErr)
		}
		if w.sent >= w.total {
			t.Errorf("all %d bytes written: the reset came too late to test anything", w.sent)
		}
		// A Write may find the connection broken before ConnectionLost: it
		// fails with the error ConnectionLost gets.
		if err := w.writeErr; err != nil && !errors.Is(err, asyncio.ErrTransportClosing) &&
			(!errors.As(err, &oe) || !errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE)) {
			t.Errorf("a Write during the reset failed with %T %v", err, err)
		}
		if err := w.t.Write([]byte("late")); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("Write after the reset: %v, want ErrTransportClosing", err)
		}
		if err := w.t.WriteEOF(); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("WriteEOF after the reset: %v, want ErrTransportClosing", err)
		}
		if !w.t.IsClosing() {
			t.Error("IsClosing is false after the reset")
		}
		if err := waitLost(ctx, t, "the aborting side", srvSide.lost); err != nil {
			t.Errorf("the aborting side heard ConnectionLost(%v), want nil", err)
		}
		// Whatever was still queued on the loop for the dead connection
		// runs now: nothing may reach the protocol any more.
		for range 3 {
			asyncio.Sleep(ctx, 0)
		}
		if w.lostCalls != 1 || len(w.late) > 0 {
			t.Errorf("ConnectionLost called %d times, callbacks after it: %v", w.lostCalls, w.late)
		}
		return nil
	})
}

// accepting returns a protocol factory that hands each connection's
// recorder, once connected, to the returned queue; EOFReceived keeps the
// connection open.
func accepting(ctx context.Context) (func() asyncio.Protocol, *asyncio.Queue[*recorder]) {
	q := asyncio.NewQueue[*recorder](0)
	return func() asyncio.Protocol {
		r := newRecorder(ctx)
		r.keepOpen = true
		return &announced{r, q}
	}, q
}

// announced is a recorder that puts itself in a queue when connected.
type announced struct {
	*recorder
	q *asyncio.Queue[*recorder]
}

func (a *announced) ConnectionMade(t asyncio.Transport) {
	a.recorder.ConnectionMade(t)
	if err := a.q.TryPut(a.recorder); err != nil {
		panic(err)
	}
}

// pattern returns n bytes that are not all alike.
func pattern(n int) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{7}).Read(b)
	return b
}

// checkShut checks that tr's write side is shut: Write fails with
// ErrWriteShut, and WriteEOF again does nothing.
func checkShut(t *testing.T, who string, tr asyncio.Transport) {
	t.Helper()
	if err := tr.Write([]byte("x")); !errors.Is(err, asyncio.ErrWriteShut) {
		t.Errorf("%s: Write after WriteEOF: %v, want ErrWriteShut", who, err)
	}
	if err := tr.WriteEOF(); err != nil {
		t.Errorf("%s: second WriteEOF: %v", who, err)
	}
}

// Half-close in each direction over TCP: the side that shut its write side
// still reads everything the other sends after the EOF.
func TestFaultHalfCloseBothWays(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		factory, accepted := accepting(ctx)
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", factory)
		if err != nil {
			return err
		}
		defer srv.Close()
		addr := srv.Addrs()[0].String()
		payload := pattern(1 << 20)

		// The client shuts first; the server answers after the EOF.
		tr, p, err := asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return newRecorder(ctx) })
		if err != nil {
			return err
		}
		cli := p.(*recorder)
		s, err := accepted.Get(ctx)
		if err != nil {
			return err
		}
		if !tr.CanWriteEOF() || !s.t.CanWriteEOF() {
			t.Fatalf("CanWriteEOF: client %v, server %v; want true for TCP", tr.CanWriteEOF(), s.t.CanWriteEOF())
		}
		tr.Write([]byte("question"))
		if err := tr.WriteEOF(); err != nil {
			t.Fatalf("WriteEOF: %v", err)
		}
		checkShut(t, "client", tr)
		if err := within(ctx, "the server's EOF", s.eof.Wait); err != nil {
			return err
		}
		if string(s.data) != "question" || s.eofs != 1 {
			t.Errorf("server read %q and %d EOFs", s.data, s.eofs)
		}
		if s.t.IsClosing() {
			t.Fatal("the server's transport closed although EOFReceived returned true")
		}
		if err := s.t.Write(payload); err != nil {
			t.Fatalf("server's write after the client's EOF: %v", err)
		}
		s.t.Close()
		checkCleanEnd(ctx, t, map[string]*recorder{"client": cli, "server": s})
		if !bytes.Equal(cli.data, payload) {
			t.Errorf("client read %d bytes after its EOF, want the %d the server sent", len(cli.data), len(payload))
		}

		// The server shuts first; the client answers after the EOF.
		tr, p, err = asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return newRecorder(ctx) })
		if err != nil {
			return err
		}
		cli = p.(*recorder)
		cli.keepOpen = true
		if s, err = accepted.Get(ctx); err != nil {
			return err
		}
		s.keepOpen = false // close once the client is done too
		s.t.Write([]byte("greeting"))
		if err := s.t.WriteEOF(); err != nil {
			t.Fatalf("server WriteEOF: %v", err)
		}
		checkShut(t, "server", s.t)
		if err := within(ctx, "the client's EOF", cli.eof.Wait); err != nil {
			return err
		}
		if string(cli.data) != "greeting" || tr.IsClosing() {
			t.Errorf("client read %q, closing %v", cli.data, tr.IsClosing())
		}
		if err := tr.Write(payload); err != nil {
			t.Fatalf("client's write after the server's EOF: %v", err)
		}
		tr.Close()
		checkCleanEnd(ctx, t, map[string]*recorder{"client": cli, "server": s})
		if !bytes.Equal(s.data, payload) {
			t.Errorf("server read %d bytes after its EOF, want %d", len(s.data), len(payload))
		}
		return nil
	})
}

// checkCleanEnd waits until each end of a connection is lost, and checks
// that it ended with no error after one EOF.
func checkCleanEnd(ctx context.Context, t *testing.T, ends map[string]*recorder) {
	t.Helper()
	for who, rec := range ends {
		if err := waitLost(ctx, t, who, rec.lost); err != nil {
			t.Errorf("%s: ConnectionLost(%v)", who, err)
		}
		var events []string // but pauses and resumptions
		for _, e := range rec.events {
			if e != "pause" && e != "resume" {
				events = append(events, e)
			}
		}
		if got := strings.Join(events, " "); got != "made eof lost" {
			t.Errorf("%s events %q", who, got)
		}
	}
}

// sink reads and hashes what arrives. It starts with reading paused, and
// once resumed it pauses again after every step bytes and resumes on the
// loop's next iteration: a slow reader.
type sink struct {
	asyncio.BaseProtocol
	t        asyncio.Transport
	loop     *asyncio.Loop
	sum      hash.Hash
	n        int
	step     int
	since    int
	paused   bool
	whenOff  []string // DataReceived calls that came while reading was paused
	lost     *asyncio.Future[error]
	readings int
}

func (s *sink) ConnectionMade(t asyncio.Transport) {
	s.t = t
	s.paused = true
	t.PauseReading()
}

func (s *sink) resume() {
	s.paused = false
	s.t.ResumeReading()
}

func (s *sink) DataReceived(p []byte) {
	if s.paused {
		s.whenOff = append(s.whenOff, fmt.Sprintf("%d bytes at offset %d", len(p), s.n))
	}
	s.readings++
	s.sum.Write(p)
	s.n += len(p)
	s.since += len(p)
	if s.since >= s.step && !s.t.IsClosing() {
		s.since = 0
		s.paused = true
		s.t.PauseReading()
		s.loop.CallSoon(s.resume)
	}
}

func (s *sink) ConnectionLost(err error) { s.lost.TrySetResult(err) }

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// A server writes 64 MiB to a client that does not read at first and then
// reads slowly. A writer that honours PauseWriting keeps the transport's
// buffer near the high-water mark whatever the reader does, and every byte
// arrives.
func TestFaultSlowReader(t *testing.T) {
	const total = 64 << 20
	runIO(t, func(t *testing.T, ctx context.Context) error {
		heap0 := heapInuse()
		w := newPump(ctx, total)
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return w })
		if err != nil {
			return err
		}
		defer srv.Close()
		r := &sink{loop: asyncio.RunningLoop(ctx), sum: sha256.New(), step: 1 << 20, lost: asyncio.NewFuture[error](ctx)}
		start := time.Now()
		if _, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return r }); err != nil {
			return err
		}
		// The reader reads nothing: the writer fills the socket buffers,
		// then its transport's buffer, and is paused. The reader stays
		// away a while longer; no assertion depends on how long.
		if err := within(ctx, "the writer's pause", w.pausedEv.Wait); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, 300*time.Millisecond); err != nil {
			return err
		}
		high, _ := w.t.WriteBufferLimits()
		stalled := w.t.WriteBufferSize()
		heapStalled := heapInuse()
		if r.n != 0 {
			t.Errorf("%d bytes delivered to a protocol that paused reading in ConnectionMade (%v)", r.n, r.whenOff)
		}
		r.resume()
		if _, err := asyncio.WaitFor(ctx, guard, r.lost.Wait); err != nil {
			return fmt.Errorf("the reader's end: %w (%d of %d bytes)", err, r.n, total)
		}
		elapsed := time.Since(start)
		if err := waitLost(ctx, t, "writer", w.lost); err != nil {
			t.Errorf("writer: ConnectionLost(%v)", err)
		}
		growth := int64(heapStalled) - int64(heap0)
		t.Logf("high-water mark %d; buffer while stalled %d; peak write buffer %d (bound %d); %d pauses; heap growth while stalled %+d KiB; %d bytes in %d reads in %v",
			high, stalled, w.peak, high+pumpChunk, w.pauses, growth>>10, r.n, r.readings, elapsed.Round(time.Millisecond))
		if w.peak > high+pumpChunk {
			t.Errorf("peak write buffer %d bytes, over the high-water mark %d plus one write of %d", w.peak, high, pumpChunk)
		}
		if growth > 16<<20 {
			t.Errorf("the heap grew by %d MiB while the reader stalled: the data is buffered somewhere", growth>>20)
		}
		if w.pauses < 2 {
			t.Errorf("the writer was paused %d times by a slow reader", w.pauses)
		}
		if len(r.whenOff) > 0 {
			t.Errorf("DataReceived while reading was paused: %v", r.whenOff[:min(len(r.whenOff), 5)])
		}
		if r.n != total || !bytes.Equal(r.sum.Sum(nil), w.sum.Sum(nil)) {
			t.Errorf("received %d bytes (checksum %x), sent %d (checksum %x)", r.n, r.sum.Sum(nil), w.sent, w.sum.Sum(nil))
		}
		return nil
	})
}

// A writer that writes its last bytes and closes (or shuts its write side)
// from ResumeWriting: with a low-water mark of 0, ResumeWriting comes once
// the buffer is empty, and what it writes then, more than a socket takes
// at once, must still be sent before the close or the EOF.
func TestFaultEndFromResumeWriting(t *testing.T) {
	const half = 8 << 20 // more than the socket buffers take at once
	runIO(t, func(t *testing.T, ctx context.Context) error {
		for _, endEOF := range []bool{false, true} {
			w := newPump(ctx, 2*half)
			w.chunk = make([]byte, half) // half in ConnectionMade, half in ResumeWriting
			w.high, w.low, w.endEOF = 64<<10, 0, endEOF
			srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return w })
			if err != nil {
				return err
			}
			r := &sink{loop: asyncio.RunningLoop(ctx), sum: sha256.New(), step: 256 << 10, lost: asyncio.NewFuture[error](ctx)}
			if _, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return r }); err != nil {
				return err
			}
			r.resume()
			if err := waitLost(ctx, t, "reader", r.lost); err != nil {
				t.Errorf("reader: ConnectionLost(%v)", err)
			}
			if endEOF {
				w.t.Close() // the reader's EOF closed its side; close ours
			}
			if err := waitLost(ctx, t, "writer", w.lost); err != nil {
				t.Errorf("writer (ending with EOF: %v): ConnectionLost(%v)", endEOF, err)
			}
			if r.n != 2*half || w.pauses != 2 || !bytes.Equal(r.sum.Sum(nil), w.sum.Sum(nil)) {
				t.Errorf("ending with EOF: %v: received %d bytes (checksum %x), sent %d (checksum %x) in %d pauses", endEOF, r.n, r.sum.Sum(nil), w.sent, w.sum.Sum(nil), w.pauses)
			}
			srv.Close()
		}
		return nil
	})
}

// A line over the stream limit: ReadLine fails with ErrLineTooLong and
// drops what it had buffered of the line; what is left of the line and
// the lines after it are read as usual, so the connection and the server
// go on working.
func TestFaultOversizedLine(t *testing.T) {
	const limit = 1024
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var results []string // what each ReadLine of the server returned
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			for {
				line, err := r.ReadLine(ctx)
				switch {
				case errors.Is(err, asyncio.ErrLineTooLong):
					results = append(results, "too long")
					continue
				case err != nil:
					return err // io.EOF once the client closes
				}
				results = append(results, string(line))
				// Answer a line of the client's own, not what is left of
				// the long one: that may be as short as its newline, if
				// the failed reads dropped every x.
				if strings.Trim(string(line), "x\n") != "" {
					w.Write(append([]byte("got "), line...))
				}
			}
		}, asyncio.Limit(limit))
		if err != nil {
			return err
		}
		defer srv.Close()
		for conn := range 2 {
			results = nil
			r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
			if err != nil {
				return err
			}
			w.Write(bytes.Repeat([]byte("x"), 10<<10))
			if err := w.Drain(ctx); err != nil {
				return err
			}
			w.Write([]byte("\n"))
			w.Write([]byte("next\n"))
			line, err := asyncio.WaitFor(ctx, guard, r.ReadLine)
			if string(line) != "got next\n" || err != nil {
				t.Fatalf("connection %d: answer %q, %v; want \"got next\\n\"", conn, line, err)
			}
			t.Logf("connection %d: the server's ReadLines: %s", conn, summarise(results))
			// (too long)+ then at most one rest of the long line, all
			// x's and no longer than the limit plus its newline, then
			// the next line.
			i := 0
			for i < len(results) && results[i] == "too long" {
				i++
			}
			if i == 0 {
				t.Errorf("connection %d: no ErrLineTooLong: %q", conn, results)
			}
			if i < len(results) && strings.Trim(results[i], "x") == "\n" {
				if len(results[i]) > limit+1 {
					t.Errorf("connection %d: ReadLine returned a line of %d bytes with a limit of %d", conn, len(results[i]), limit)
				}
				i++
			}
			if i != len(results)-1 || results[i] != "next\n" {
				t.Errorf("connection %d: ReadLine returned %q", conn, results)
			}
			w.Close()
			if err := within(ctx, "the client's close", w.WaitClosed); err != nil {
				t.Errorf("connection %d: %v", conn, err)
			}
		}
		srv.Close()
		return within(ctx, "the handlers' end", srv.WaitClosed)
	})
}

// summarise shows what ReadLine returned, with runs of x's counted.
func summarise(results []string) string {
	var b strings.Builder
	for i, r := range results {
		if i > 0 {
			b.WriteString(", ")
		}
		if x := strings.TrimLeft(r, "x"); len(x) < len(r) {
			fmt.Fprintf(&b, "%d x's + %q", len(r)-len(x), x)
		} else {
			fmt.Fprintf(&b, "%q", r)
		}
	}
	return b.String()
}

// A server whose process has run out of descriptors reports the failed
// accept and backs off for acceptRetryDelay instead of spinning on the
// listening socket; once descriptors are free again it accepts the
// clients that waited in the backlog.
//
// It lowers the process's RLIMIT_NOFILE and fills the descriptor table,
// so it must not run beside other tests (none of this package's tests is
// parallel).
func TestFaultAcceptFDExhaustion(t *testing.T) {
	const clients = 4
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		t.Skip(err)
	}
	t.Cleanup(func() { unix.Setrlimit(unix.RLIMIT_NOFILE, &lim) })
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close() // the runtime's poller descriptor exists from now on
	}
	var report func(asyncio.ExceptionContext)
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var (
			reports  []time.Duration // when accept failures were reported
			reported = asyncio.NewEvent()
			start    = time.Now()
		)
		report = func(c asyncio.ExceptionContext) {
			var oe *net.OpError
			if !errors.As(c.Err, &oe) || oe.Op != "accept" || !errors.Is(c.Err, unix.EMFILE) {
				t.Errorf("exception handler: %s: %v", c.Message, c.Err)
				return
			}
			reports = append(reports, time.Since(start))
			reported.Set()
		}
		srv, err := asyncio.CreateServer(ctx, "tcp4", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		sa := &unix.SockaddrInet4{Port: srv.Addrs()[0].(*net.TCPAddr).Port, Addr: [4]byte{127, 0, 0, 1}}
		// The clients' sockets are made before the table is full and
		// connect after: the kernel completes the handshakes into the
		// server's backlog.
		var fds []int // the clients' sockets not yet given to a transport
		defer func() {
			for _, fd := range fds {
				unix.Close(fd)
			}
		}()
		for range clients {
			fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
			if err != nil {
				return err
			}
			fds = append(fds, fd)
		}
		var filler []int
		free := func() {
			for _, fd := range filler {
				unix.Close(fd)
			}
			filler = nil
			unix.Setrlimit(unix.RLIMIT_NOFILE, &lim)
		}
		defer free()
		low := lim
		low.Cur = uint64(openFDs(t) + 64)
		if low.Cur > lim.Cur {
			t.Skipf("RLIMIT_NOFILE %d is too low to lower", lim.Cur)
		}
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &low); err != nil {
			t.Skipf("cannot lower RLIMIT_NOFILE: %v", err)
		}
		for {
			fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
			if err == unix.EMFILE {
				break
			}
			if err != nil {
				t.Fatalf("filling the descriptor table: %v", err)
			}
			filler = append(filler, fd)
		}
		for _, fd := range fds {
			if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
				t.Fatalf("connect: %v", err)
			}
		}
		// Two reports while the table stays full: the first failure, and
		// the retry a second later. Nothing in between.
		for len(reports) < 2 {
			reported.Clear()
			if err := within(ctx, fmt.Sprintf("accept failure report %d", len(reports)+1), reported.Wait); err != nil {
				return err
			}
		}
		filled := len(filler)
		free()
		t.Logf("%d descriptors filled; accept failures reported at %v", filled, reports)
		if gap := reports[1] - reports[0]; gap < 900*time.Millisecond {
			t.Errorf("accept failures reported %v apart: the server does not back off", gap)
		}
		// The clients waiting in the backlog are served after the next
		// retry.
		for i := 0; len(fds) > 0; i++ {
			fd := fds[0]
			fds = fds[1:]
			rec := newRecorder(ctx)
			tr, err := asyncio.NewSocketTransport(ctx, fd, rec)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("client %d", i)
			tr.Write([]byte(msg))
			if err := within(ctx, "echo after the descriptors were freed", func(ctx context.Context) error { return rec.waitData(ctx, len(msg)) }); err != nil {
				return err
			}
			if string(rec.data) != msg {
				t.Errorf("client %d got %q", i, rec.data)
			}
			tr.Close()
			if err := waitLost(ctx, t, "client", rec.lost); err != nil {
				t.Errorf("client %d: ConnectionLost(%v)", i, err)
			}
		}
		if len(reports) > 3 {
			t.Errorf("%d accept failures reported in %v: %v", len(reports), time.Since(start), reports)
		}
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { report(c) }))
}

// 10,000 connections, at most 200 at a time, each opened, used for one
// echo and closed: every one succeeds, the server's connections all end,
// and no descriptor is left open.
func TestFaultConnectionChurn(t *testing.T) {
	const (
		conns       = 10000
		concurrency = 200
	)
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp4", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		addr := srv.Addrs()[0].String()
		before := openFDs(t) // the loop's poller, if any, and the listener
		start := time.Now()
		ok, next := 0, 0
		one := func(ctx context.Context, i int) error {
			rec := newRecorder(ctx)
			tr, _, err := asyncio.CreateConnection(ctx, "tcp4", addr, func() asyncio.Protocol { return rec })
			if err != nil {
				return err
			}
			msg := []byte("ping " + itoa(i))
			if err := tr.Write(msg); err != nil {
				return err
			}
			if err := rec.waitData(ctx, len(msg)); err != nil {
				return err
			}
			if !bytes.Equal(rec.data, msg) {
				return fmt.Errorf("echo %q of %q", rec.data, msg)
			}
			tr.Close()
			if err, _ := rec.lost.Wait(ctx); err != nil {
				return fmt.Errorf("ConnectionLost(%w)", err)
			}
			ok++
			return nil
		}
		err = asyncio.Timeout(ctx, 60*time.Second, func(ctx context.Context) error {
			return asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
				for range concurrency {
					g.Go(func(ctx context.Context) error {
						for next < conns {
							next++
							if i, err := next, one(ctx, next); err != nil {
								return fmt.Errorf("connection %d: %w", i, err)
							}
						}
						return nil
					})
				}
				return nil
			})
		})
		elapsed := time.Since(start)
		if err != nil {
			return fmt.Errorf("after %d connections in %v: %w", ok, elapsed, err)
		}
		if ok != conns {
			t.Errorf("%d connections succeeded, want %d", ok, conns)
		}
		srv.Close()
		if err := within(ctx, "the server's connections to end", srv.WaitClosed); err != nil {
			return err
		}
		after := openFDs(t)
		t.Logf("%d connections in %v (%v each); descriptors %d before, %d after", ok, elapsed.Round(time.Millisecond), elapsed/conns, before, after)
		if after > before-1 { // the listener is closed too
			t.Errorf("%d descriptors open with the server and no connection, %d after they all closed", before, after)
		}
		return nil
	})
}

// stall is a server protocol that never reads.
type stall struct {
	asyncio.BaseProtocol
	made *asyncio.Event
	lost *asyncio.Future[error]
}

func (s *stall) ConnectionMade(t asyncio.Transport) { t.PauseReading(); s.made.Set() }
func (s *stall) ConnectionLost(err error)           { s.lost.TrySetResult(err) }

// A loop closed under a stream server whose handlers wait in ReadLine,
// stream clients waiting in ReadLine, protocol clients waiting for data,
// and a transport with megabytes buffered: the tasks are cancelled, every
// protocol still connected hears ErrLoopClosed, and neither a descriptor
// nor a goroutine of the loop is left.
func TestFaultLoopCloseWithOpenConnections(t *testing.T) {
	const n = 3
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			before := openFDs(t)
			var (
				handlerErrs, clientErrs []error
				readers                 []*recorder
				stalled                 = &stall{made: asyncio.NewEvent()}
				writer                  *recorder
				buffered                int
			)
			r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b),
				asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
					t.Errorf("exception handler: %s: task %q: %v", c.Message, c.Task, c.Err)
				}))
			defer r.Close() // if the test ends early
			err := r.Run(func(ctx context.Context) error {
				waiting, allWaiting := 0, asyncio.NewEvent()
				wait := func() { // 2n handlers, n clients
					if waiting++; waiting == 3*n {
						allWaiting.Set()
					}
				}
				srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
					wait()
					_, err := r.ReadLine(ctx)
					handlerErrs = append(handlerErrs, err)
					return err
				})
				if err != nil {
					return err
				}
				addr := srv.Addrs()[0].String()
				for range n {
					r, _, err := asyncio.OpenConnection(ctx, addr)
					if err != nil {
						return err
					}
					asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
						wait()
						_, err := r.ReadLine(ctx)
						clientErrs = append(clientErrs, err)
						return struct{}{}, err
					})
					rec := newRecorder(ctx)
					rec.keepOpen = true
					if _, _, err := asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return rec }); err != nil {
						return err
					}
					readers = append(readers, rec)
				}
				stalled.lost = asyncio.NewFuture[error](ctx)
				sink, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return stalled })
				if err != nil {
					return err
				}
				writer = newRecorder(ctx)
				tr, _, err := asyncio.CreateConnection(ctx, "tcp", sink.Addrs()[0].String(), func() asyncio.Protocol { return writer })
				if err != nil {
					return err
				}
				if err := within(ctx, "the stalled server's connection", stalled.made.Wait); err != nil {
					return err
				}
				tr.Write(pattern(8 << 20))
				if err := within(ctx, "the handlers and clients to wait", allWaiting.Wait); err != nil {
					return err
				}
				buffered = tr.WriteBufferSize()
				return nil // with all of it open
			})
			if err != nil {
				t.Fatal(err)
			}
			if buffered == 0 {
				t.Error("nothing was left in the write buffer when the loop closed")
			}
			r.Close()
			check := func(what string, want int, errs []error) {
				if len(errs) != want {
					t.Errorf("%d %s ended, want %d", len(errs), what, want)
				}
				for _, err := range errs {
					if !errors.Is(err, context.Canceled) && !errors.Is(err, asyncio.ErrLoopClosed) {
						t.Errorf("%s: ReadLine returned %v, want a cancellation", what, err)
					}
				}
			}
			check("stream handlers", 2*n, handlerErrs)
			check("stream clients", n, clientErrs)
			lost := func(what string, f *asyncio.Future[error]) {
				if !f.Done() {
					t.Errorf("%s: no ConnectionLost", what)
				} else if err, _ := f.Result(); !errors.Is(err, asyncio.ErrLoopClosed) {
					t.Errorf("%s: ConnectionLost(%v), want ErrLoopClosed", what, err)
				}
			}
			for i, rec := range readers {
				lost(fmt.Sprintf("reading client %d", i), rec.lost)
			}
			lost("client with a full write buffer", writer.lost)
			lost("server that does not read", stalled.lost)
			if after := openFDs(t); after > before {
				t.Errorf("%d descriptors open before the loop, %d after it closed", before, after)
			}
			if left := loopGoroutines(); len(left) > 0 {
				t.Errorf("%d goroutines of the loop outlived Close:\n\n%s", len(left), strings.Join(left, "\n\n"))
			}
		})
	}
}

// loopGoroutines returns the stacks of the goroutines running a loop's
// tasks or I/O.
//
// Close waits for the goroutines of the portable backend, but one that has
// just told Close it is done may still be on its way out: they get up to a
// second to be gone (a poll of the runtime, as leakcheck does, not a
// synchronisation of the test).
func loopGoroutines() []string {
	deadline := time.Now().Add(time.Second)
	for {
		left := loopGoroutinesNow()
		if len(left) == 0 || time.Now().After(deadline) {
			return left
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// loopGoroutinesNow is one look for loopGoroutines.
func loopGoroutinesNow() []string {
	var all strings.Builder
	pprof.Lookup("goroutine").WriteTo(&all, 2) // every stack, as a panic shows them
	var out []string
	for _, g := range strings.Split(all.String(), "\n\n") {
		for _, fn := range []string{"asyncio.(*connTransport)", "asyncio.(*netListener)", "asyncio.offLoop", "asyncio.(*coroutine)", "asyncio.(*Loop)"} {
			if strings.Contains(g, fn) {
				out = append(out, g)
				break
			}
		}
	}
	return out
}
