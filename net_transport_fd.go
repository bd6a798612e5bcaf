//go:build unix

package asyncio

import (
	"context"
	"crypto/tls"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio/internal/poller"
)

// NewSocketTransport wraps a connected, non-blocking stream socket in a
// Transport on the loop of ctx and connects it to protocol
// (loop.connect_accepted_socket). As in asyncio, the protocol's
// ConnectionMade and the first read are scheduled, not run inline. The
// transport owns fd from then on and closes it when the connection ends.
func NewSocketTransport(ctx context.Context, fd int, protocol Protocol) (Transport, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	var t transport
	if l.portable() {
		f := os.NewFile(uintptr(fd), "socket")
		conn, err := net.FileConn(f) // a duplicate of fd
		f.Close()
		if err != nil {
			return nil, err
		}
		t = newConnTransport(l, conn, protocol)
	} else {
		t = newFDTransport(l, fd, protocol)
	}
	l.track(t)
	t.start(nil)
	return t, nil
}

func newFDTransport(l *Loop, fd int, protocol Protocol) *fdTransport {
	t := &fdTransport{loop: l, fd: fd, flowControl: newFlowControl()}
	t.SetProtocol(protocol)
	t.readFn, t.writeFn = t.readReady, t.writeReady
	return t
}

func (t *fdTransport) isServer() bool { return false }

// closeForLoop ends the transport when its loop closes.
func (t *fdTransport) closeForLoop() {
	t.closing = true
	t.buf, t.off = nil, 0
	t.finish(ErrLoopClosed)
}

// start schedules ConnectionMade, then the first read, then made.
func (t *fdTransport) start(made func()) {
	t.loop.CallSoon(func() {
		if !t.closing {
			t.proto.ConnectionMade(t)
			if !t.closing && !t.readPaused {
				t.startReading()
			}
		}
		if made != nil {
			made()
		}
	})
}

// fdTransport is a Transport over a socket watched by the loop's poller.
// It is what an idle connection costs, so its fields are packed: 128
// bytes.
type fdTransport struct {
	loop  *Loop
	proto Protocol
	fd    int

	buf []byte // bytes waiting to be sent, from off on
	off int

	readFn, writeFn func() // bound once: watching costs no allocation
	serverLink
	flowControl

	pipe       pipeEnd // the end of a pipe fd is, if it is one
	sendfiling bool    // Sendfile sends a file with sendfile(2)
	reading    bool    // the loop watches fd for reading
	writing    bool    // the loop watches fd for writing
	eofPending bool    // WriteEOF once the buffer is sent
	eofWritten bool
	failed     bool // fatal ran: finish is scheduled with its error
}

func (t *fdTransport) startReading() {
	if !t.reading && t.loop.AddReader(t.fd, t.readFn) == nil {
		t.reading = true
	}
}

func (t *fdTransport) stopReading() {
	if t.reading {
		t.loop.RemoveReader(t.fd)
		t.reading = false
	}
}

// readReady runs when fd is readable. It reads into the loop's read
// buffer, shared by all its transports: the protocol may use the data only
// during DataReceived, and the loop runs one callback at a time, so an
// idle connection holds no read buffer of its own.
func (t *fdTransport) readReady() {
	if t.pipe == writePipe {
		// The read end closed: nobody will take what we write.
		if t.size() > 0 {
			t.fatal(&os.PathError{Op: "write", Path: "pipe", Err: unix.EPIPE})
		} else {
			t.fatal(nil)
		}
		return
	}
	buf := t.loop.readBuffer()
	buffered, _ := t.proto.(BufferedProtocol)
	if buffered != nil {
		if buf = buffered.GetBuffer(len(buf)); len(buf) == 0 {
			t.fatal(errEmptyBuffer)
			return
		}
	}
	n, err := poller.Read(t.fd, buf)
	switch {
	case err == unix.EAGAIN || err == unix.EINTR:
		return
	case err != nil:
		t.fatal(&net.OpError{Op: "read", Net: "tcp", Err: err})
	case n == 0:
		t.stopReading()
		if !t.proto.EOFReceived() || t.pipe == readPipe {
			t.Close()
		}
	case buffered != nil:
		buffered.BufferUpdated(n)
	default:
		t.proto.DataReceived(buf[:n])
	}
}

func (t *fdTransport) Write(p []byte) error {
	switch {
	case t.pipe == readPipe:
		return errReadOnly
	case t.sendfiling:
		return ErrSendfileInProgress
	case t.closing:
		return ErrTransportClosing
	case t.eofPending || t.eofWritten:
		return ErrWriteShut
	case len(p) == 0:
		return nil
	}
	if t.size() == 0 {
		// Nothing queued: try the socket first, so a small write costs no
		// copy and no wait.
		n, err := poller.Write(t.fd, p)
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			werr := &net.OpError{Op: "write", Net: "tcp", Err: err}
			t.fatal(werr)
			return werr // the error ConnectionLost gets, not a bare errno
		}
		p = p[max(n, 0):]
		if len(p) == 0 {
			return nil
		}
	}
	t.buf = append(t.buf, p...)
	if !t.writing && t.loop.AddWriter(t.fd, t.writeFn) == nil {
		t.writing = true
	}
	t.maybePause(t.loop, t.proto, t.size())
	return nil
}

// writeReady runs when fd is writable and bytes wait.
func (t *fdTransport) writeReady() {
	n, err := poller.Write(t.fd, t.buf[t.off:])
	if err != nil && err != unix.EAGAIN && err != unix.EINTR {
		t.fatal(&net.OpError{Op: "write", Net: "tcp", Err: err})
		return
	}
	if n > 0 {
		t.off += n
	}
	if t.size() > 0 {
		if t.off > len(t.buf)/2 { // keep the buffer from only growing
			t.buf = append(t.buf[:0], t.buf[t.off:]...)
			t.off = 0
		}
		t.maybeResume(t.loop, t.proto, t.size())
		return
	}
	t.buf, t.off = t.buf[:0], 0
	t.loop.RemoveWriter(t.fd)
	t.writing = false
	t.maybeResume(t.loop, t.proto, t.size())
	if t.size() > 0 || t.failed {
		// ResumeWriting wrote again (and Write watches fd again), maybe
		// closing or shutting after it: that waits for this buffer. Or
		// the protocol aborted, or its write failed: finish is on its way
		// with the error.
		return
	}
	if t.eofPending {
		t.eofPending = false
		t.shutWrite()
	}
	if t.closing {
		t.finish(nil)
	}
}

func (t *fdTransport) size() int { return len(t.buf) - t.off }

// whenBuffered runs fn once at most n bytes wait to be sent, or once the
// connection is lost.
func (t *fdTransport) whenBuffered(n int, fn func()) { t.whenSize(t.size(), n, fn) }

func (t *fdTransport) WriteEOF() error {
	switch t.pipe {
	case readPipe:
		return errReadOnly
	case writePipe:
		return t.Close() // a pipe's end is its close
	}
	if t.closing {
		return ErrTransportClosing
	}
	if t.eofPending || t.eofWritten {
		return nil
	}
	if t.size() > 0 {
		t.eofPending = true
		return nil
	}
	t.shutWrite()
	return nil
}

func (t *fdTransport) shutWrite() {
	t.eofWritten = true
	unix.Shutdown(t.fd, unix.SHUT_WR)
}

func (t *fdTransport) CanWriteEOF() bool { return t.pipe != readPipe }

func (t *fdTransport) Close() error {
	if t.closing {
		return nil
	}
	t.closing = true
	t.stopReading()
	if t.size() == 0 {
		t.loop.CallSoon(func() { t.finish(nil) })
	}
	return nil
}

func (t *fdTransport) Abort() { t.fatal(nil) }

// fatal ends the connection at once with err (nil for an abort).
func (t *fdTransport) fatal(err error) {
	t.closing, t.failed = true, true
	t.stopReading()
	if t.writing {
		t.loop.RemoveWriter(t.fd)
		t.writing = false
	}
	t.buf, t.off = nil, 0
	t.loop.CallSoon(func() { t.finish(err) })
}

// finish closes the socket and tells the protocol, once.
func (t *fdTransport) finish(err error) {
	if t.lost {
		return
	}
	t.lost = true
	t.loop.untrack(t)
	t.stopReading()
	if t.writing {
		t.loop.RemoveWriter(t.fd)
		t.writing = false
	}
	unix.Close(t.fd)
	connectionLost(t, &t.flowControl, true, err)
}

func (t *fdTransport) PauseReading() {
	if t.pauseReading() {
		t.stopReading()
	}
}

func (t *fdTransport) ResumeReading() {
	if t.resumeReading() {
		t.startReading()
	}
}

func (t *fdTransport) SetWriteBufferLimits(high, low int) error {
	return t.setLimits(t.loop, t.proto, t.size(), high, low)
}

func (t *fdTransport) WriteBufferSize() int { return t.size() }

func (t *fdTransport) LocalAddr() net.Addr {
	sa, err := unix.Getsockname(t.fd)
	if err != nil {
		return nil
	}
	return netAddr(sa)
}

func (t *fdTransport) RemoteAddr() net.Addr {
	sa, err := unix.Getpeername(t.fd)
	if err != nil {
		return nil
	}
	return netAddr(sa)
}

func (t *fdTransport) TLS() *tls.ConnectionState { return nil }

func (t *fdTransport) Protocol() Protocol { return t.proto }

func (t *fdTransport) SetProtocol(p Protocol) {
	t.proto = p
}
