package asyncio

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// connTransport is a Transport over a net.Conn, driven by goroutines that
// feed the loop: the portable backend's transport, and the one TLS runs
// on (see net_tls.go).
//
// Two goroutines serve it, both counted in the loop's ioGoroutines:
//
//   - the reader reads into its own buffer and hands each chunk to the
//     loop, then waits until the protocol has taken it (DataReceived has
//     returned and reading is not paused) before reading into the buffer
//     again. It ends after a read error or EOF, or when the transport is
//     lost.
//   - the writer exists while there is something to do: it is started by
//     the Write, WriteEOF or Close that finds none running, sends what was
//     queued, shuts the write side or closes the conn as asked, reports
//     each step to the loop, and ends when the queue is empty.
//
// Every call that may block on the network (Write, CloseWrite, Close, which
// on a TLS conn all send records) happens on the writer, never on the
// loop. The loop keeps the authoritative state; the goroutines see only
// what the mutex guards.
type connTransport struct {
	loop  *Loop
	conn  net.Conn
	abort func() // closes the carrier at once: conn.Close, or the layer under TLS
	proto Protocol
	pipe  pipeEnd // the end of a pipe conn is, if it is one
	// proto, if it reads into its own buffers
	buffered BufferedProtocol

	// Loop-only state.
	flowControl
	parked    bool // the reader waits for ResumeReading
	held      bool // a chunk read before PauseReading waits for ResumeReading
	eofQueued bool
	unsent    int // bytes queued and not yet reported written
	serverLink
	handshaking bool // the handshake runs; ConnectionMade comes after

	// TLS only.
	carrier                           *transportConn // the layer under TLS
	tlsState                          *tls.ConnectionState
	handshakeTimeout, shutdownTimeout time.Duration
	shutdownTimer                     *TimerHandle // see armShutdownTimer

	resume chan struct{} // lets the reader read again (cap 1)
	done   chan struct{} // closed when the transport is lost

	// What the reader read last, for received; receivedFn is received,
	// bound once so that handing a chunk over allocates no closure.
	chunk      []byte
	chunkErr   error
	receivedFn func()

	mu       sync.Mutex // guards the writer's queue
	queue    []byte
	spare    []byte
	wantEOF  bool // shut the write side once the queue is sent
	wantEnd  bool // close the conn once the queue is sent
	wRunning bool
}

// readChunk is the first size of a reader's buffer; it doubles, up to
// maxReadChunk, each time a read fills it.
const (
	readChunk    = 4 << 10
	maxReadChunk = 64 << 10
)

// readBuffers lends readers of conns that can wait for readability (see
// read) a buffer only while they read.
var readBuffers = sync.Pool{New: func() any { return new([readBuffer]byte) }}

const readBuffer = 16 << 10

func newConnTransport(l *Loop, conn net.Conn, protocol Protocol) *connTransport {
	t := &connTransport{
		loop: l, conn: conn, proto: protocol,
		resume: make(chan struct{}, 1),
		done:   make(chan struct{}),
	}
	t.flowControl = newFlowControl()
	t.abort = func() { conn.Close() }
	t.receivedFn = t.received
	t.SetProtocol(protocol)
	return t
}

func (t *connTransport) isServer() bool { return false }

func (t *connTransport) closeForLoop() {
	t.closing = true
	t.finish(ErrLoopClosed)
}

// start schedules ConnectionMade, then starts the reader, then made.
func (t *connTransport) start(made func()) {
	t.loop.CallSoon(func() {
		if !t.closing {
			t.proto.ConnectionMade(t)
			if !t.closing && t.pipe != writePipe {
				t.startReader()
			}
		}
		if made != nil {
			made()
		}
	})
}

func (t *connTransport) startReader() {
	t.loop.ioGoroutines.Add(1)
	go t.read()
}

// read is the reader goroutine. A conn that can wait for readability
// without reading (a TCP or Unix socket, a pipe: a syscall.Conn) borrows a
// buffer from readBuffers only once data is there, and returns it once the
// protocol has taken the chunk, so an idle connection holds no read buffer.
// Any other conn (TLS) reads into a buffer of its own, which grows while
// reads fill it.
func (t *connTransport) read() {
	defer t.loop.ioGoroutines.Done()
	var rc syscall.RawConn
	if sc, ok := t.conn.(syscall.Conn); ok && canWaitReadable {
		rc, _ = sc.SyscallConn()
	}
	var own []byte
	if rc == nil {
		own = make([]byte, readChunk)
	}
	for {
		buf := own
		var lent *[readBuffer]byte
		if rc != nil {
			waitReadable(rc) // an error shows again in Read
			lent = readBuffers.Get().(*[readBuffer]byte)
			buf = lent[:]
		}
		n, err := t.conn.Read(buf)
		// The loop reads these in received; the reader writes them again
		// only after the loop has let it go on (resume).
		t.chunk, t.chunkErr = buf[:n], err
		if t.loop.CallSoonThreadsafe(t.receivedFn).Cancelled() {
			return // the loop is closed
		}
		if err != nil {
			return
		}
		select {
		case <-t.resume:
		case <-t.done:
			return
		}
		if lent != nil {
			readBuffers.Put(lent)
		} else if n == len(own) && len(own) < maxReadChunk {
			own = make([]byte, 2*len(own))
		}
	}
}

// received runs on the loop with what the reader read.
func (t *connTransport) received() {
	if t.lost {
		return
	}
	if t.readPaused && !t.closing {
		// Read before PauseReading took effect (the reader reads ahead):
		// keep it, and the reader waiting, until ResumeReading.
		t.held = true
		return
	}
	p, err := t.chunk, t.chunkErr
	if len(p) > 0 && !t.closing {
		if t.buffered != nil {
			t.deliverBuffered(p)
		} else {
			t.proto.DataReceived(p)
		}
	}
	switch {
	case err == nil:
		if t.readPaused {
			t.parked = true
		} else {
			t.resume <- struct{}{}
		}
	case t.closing:
		// Our own Close or Abort ended the read.
	case errors.Is(err, io.EOF):
		if !t.proto.EOFReceived() || t.pipe == readPipe {
			t.Close()
		}
	default:
		t.fatal(opError("read", netOf(t.conn), err))
	}
}

// deliverBuffered copies p into the buffers of a BufferedProtocol.
func (t *connTransport) deliverBuffered(p []byte) {
	for len(p) > 0 && !t.closing {
		b := t.buffered.GetBuffer(len(p))
		if len(b) == 0 {
			t.fatal(errEmptyBuffer)
			return
		}
		n := copy(b, p)
		t.buffered.BufferUpdated(n)
		p = p[n:]
	}
}

func (t *connTransport) Write(p []byte) error {
	switch {
	case t.pipe == readPipe:
		return errReadOnly
	case t.closing:
		return ErrTransportClosing
	case t.eofQueued:
		return ErrWriteShut
	case len(p) == 0:
		return nil
	}
	t.unsent += len(p)
	t.mu.Lock()
	t.queue = append(t.queue, p...)
	t.mu.Unlock()
	t.kickWriter()
	t.maybePause(t.loop, t.proto, t.unsent)
	return nil
}

// kickWriter starts the writer unless one runs.
func (t *connTransport) kickWriter() {
	t.mu.Lock()
	start := !t.wRunning
	t.wRunning = true
	t.mu.Unlock()
	if start {
		t.loop.ioGoroutines.Add(1)
		go t.write()
	}
}

// write is the writer goroutine.
func (t *connTransport) write() {
	defer t.loop.ioGoroutines.Done()
	for {
		t.mu.Lock()
		b := t.queue
		if len(b) == 0 {
			eof, end := t.wantEOF, t.wantEnd
			t.wantEOF = false
			if !eof && !end {
				t.wRunning = false
				t.mu.Unlock()
				return
			}
			t.mu.Unlock()
			if eof {
				var err error
				if cw, ok := t.conn.(interface{ CloseWrite() error }); ok {
					err = cw.CloseWrite()
				}
				t.loop.CallSoonThreadsafe(func() { t.wrote(0, err) })
				continue
			}
			t.conn.Close() // a TLS conn's failed closing alert changes nothing now
			t.loop.CallSoonThreadsafe(t.ended)
			return // wRunning stays set: nothing more is written
		}
		t.queue, t.spare = t.spare[:0], nil
		t.mu.Unlock()
		n, err := t.conn.Write(b)
		t.mu.Lock()
		t.spare = b
		t.mu.Unlock()
		if t.loop.CallSoonThreadsafe(func() { t.wrote(n, err) }).Cancelled() || err != nil {
			t.mu.Lock()
			t.wRunning = false
			t.mu.Unlock()
			return
		}
	}
}

// wrote runs on the loop after the writer sent n bytes.
func (t *connTransport) wrote(n int, err error) {
	if t.lost {
		return
	}
	t.unsent -= n
	if err != nil {
		if !t.closing {
			t.fatal(opError("write", netOf(t.conn), err))
		}
		return
	}
	t.maybeResume(t.loop, t.proto, t.unsent)
}

// ended runs on the loop once the writer closed the conn after sending
// everything.
func (t *connTransport) ended() {
	if t.lost {
		return
	}
	t.abort = func() {} // the conn is closed, and its closing sent
	t.finish(nil)
}

// whenBuffered runs fn once at most n bytes wait to be sent, or once the
// connection is lost.
func (t *connTransport) whenBuffered(n int, fn func()) { t.whenSize(t.unsent, n, fn) }

func (t *connTransport) WriteEOF() error {
	switch {
	case t.pipe == readPipe:
		return errReadOnly
	case t.pipe == writePipe:
		return t.Close() // a pipe's end is its close
	case t.closing:
		return ErrTransportClosing
	case t.eofQueued:
		return nil
	case !t.CanWriteEOF():
		return errors.ErrUnsupported
	}
	t.eofQueued = true
	t.mu.Lock()
	t.wantEOF = true
	t.mu.Unlock()
	t.kickWriter()
	return nil
}

func (t *connTransport) CanWriteEOF() bool {
	_, ok := t.conn.(interface{ CloseWrite() error })
	return t.pipe == writePipe || ok && t.pipe == notPipe
}

// Close sends what is queued, then closes the conn: the writer does it, so
// that a TLS conn can send its closing alert without blocking the loop.
func (t *connTransport) Close() error {
	if t.closing {
		return nil
	}
	t.closing = true
	t.mu.Lock()
	t.wantEnd = true
	t.mu.Unlock()
	t.kickWriter()
	t.armShutdownTimer()
	return nil
}

func (t *connTransport) Abort() { t.fatal(nil) }

// fatal ends the connection at once with err (nil for an abort).
func (t *connTransport) fatal(err error) {
	t.closing = true
	t.loop.CallSoon(func() { t.finish(err) })
}

// finish closes the carrier, releases the goroutines and tells the
// protocol, once.
func (t *connTransport) finish(err error) {
	if t.lost {
		return
	}
	t.lost = true
	t.loop.untrack(t)
	if t.shutdownTimer != nil {
		t.shutdownTimer.Cancel()
	}
	t.abort()
	close(t.done)
	t.unsent = 0
	connectionLost(t, &t.flowControl, !t.handshaking, err)
}

// PauseReading takes effect in received: the reader may have read ahead.
func (t *connTransport) PauseReading() { t.pauseReading() }

func (t *connTransport) ResumeReading() {
	if !t.resumeReading() {
		return
	}
	if t.held {
		t.held = false
		t.loop.CallSoon(t.receivedFn) // not inline: ResumeReading may come from a protocol's own call
		return
	}
	if t.parked {
		t.parked = false
		t.resume <- struct{}{}
	}
}

func (t *connTransport) SetWriteBufferLimits(high, low int) error {
	return t.setLimits(t.loop, t.proto, t.unsent, high, low)
}

func (t *connTransport) WriteBufferSize() int { return t.unsent }

func (t *connTransport) LocalAddr() net.Addr  { return t.conn.LocalAddr() }
func (t *connTransport) RemoteAddr() net.Addr { return t.conn.RemoteAddr() }

func (t *connTransport) Protocol() Protocol { return t.proto }

func (t *connTransport) TLS() *tls.ConnectionState { return t.tlsState }

func (t *connTransport) SetProtocol(p Protocol) {
	t.proto = p
	t.buffered, _ = p.(BufferedProtocol)
}

// opError describes a failed network operation as the net package does,
// unless err is such a description already: a net.Conn's own error, or
// that of the transport under TLS, which would otherwise be repeated
// ("read tcp: read tcp 127.0.0.1:...").
func opError(op, network string, err error) error {
	if _, ok := errors.AsType[*net.OpError](err); ok {
		return err
	}
	return &net.OpError{Op: op, Net: network, Err: err}
}

// netOf names the network of conn for errors.
func netOf(conn net.Conn) string {
	if a := conn.LocalAddr(); a != nil {
		return a.Network()
	}
	return "conn"
}
