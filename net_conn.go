package asyncio

import (
	"io"
	"net"
	"sync"
	"time"
)

// transportConn is a net.Conn whose bytes travel through a Transport of the
// loop, for crypto/tls to run over (asyncio runs its SSL protocol over a
// memory BIO the same way). It is the Protocol of the transport under it:
// the loop feeds it what arrives, and a goroutine reading from it (the TLS
// layer's reader) takes it. Writes from that goroutine are posted to the
// loop. It is how TLS works on either backend and how StartTLS upgrades a
// connection in place.
//
// Backpressure runs both ways: past maxBuffered unread bytes the transport
// stops reading until the reader catches up, and a writer blocks while the
// transport's buffer is above its high-water mark.
type transportConn struct {
	loop  *Loop
	inner Transport

	mu       sync.Mutex
	cond     sync.Cond // signalled on every change below
	in       []byte    // received, not yet read
	eof      bool      // the peer closed its side
	err      error     // the transport was lost with err (io.EOF if nil)
	closed   bool      // Close was called
	pausedR  bool      // we paused the transport's reading
	pausedW  bool      // the transport asked its writers to pause
	inFlight int       // bytes posted to the loop, not yet written to inner
}

const maxBuffered = 256 << 10

func newTransportConn(l *Loop, inner Transport) *transportConn {
	c := &transportConn{loop: l, inner: inner}
	c.cond.L = &c.mu
	return c
}

// The Protocol side, called on the loop.

func (c *transportConn) ConnectionMade(t Transport) { c.inner = t }

func (c *transportConn) DataReceived(p []byte) {
	c.mu.Lock()
	c.in = append(c.in, p...)
	if len(c.in) > maxBuffered && !c.pausedR {
		c.pausedR = true
		c.inner.PauseReading()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *transportConn) EOFReceived() bool {
	c.mu.Lock()
	c.eof = true
	c.cond.Broadcast()
	c.mu.Unlock()
	return true // TLS decides when the connection ends
}

func (c *transportConn) ConnectionLost(err error) {
	if err == nil {
		err = io.EOF
	}
	c.mu.Lock()
	c.err = err
	c.cond.Broadcast()
	c.mu.Unlock()
}

func (c *transportConn) PauseWriting() {
	c.mu.Lock()
	c.pausedW = true
	c.mu.Unlock()
}

func (c *transportConn) ResumeWriting() {
	c.mu.Lock()
	c.pausedW = false
	c.cond.Broadcast()
	c.mu.Unlock()
}

// The net.Conn side, called from the TLS layer's goroutines.

func (c *transportConn) Read(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.in) == 0 {
		switch {
		case c.closed:
			return 0, net.ErrClosed
		case c.eof:
			return 0, io.EOF
		case c.err != nil:
			return 0, c.err
		}
		c.cond.Wait()
	}
	n := copy(p, c.in)
	c.in = c.in[n:]
	if len(c.in) == 0 {
		c.in = nil // let a large burst's memory go
	}
	if c.pausedR && len(c.in) <= maxBuffered/2 {
		c.pausedR = false
		c.loop.CallSoonThreadsafe(func() { c.inner.ResumeReading() })
	}
	return n, nil
}

func (c *transportConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	for (c.pausedW || c.inFlight > DefaultWriteHigh) && !c.closed && c.err == nil {
		c.cond.Wait()
	}
	if c.closed {
		c.mu.Unlock()
		return 0, net.ErrClosed
	}
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return 0, err
	}
	c.inFlight += len(p)
	c.mu.Unlock()
	b := append([]byte(nil), p...)
	if c.loop.CallSoonThreadsafe(func() { c.written(b) }).Cancelled() {
		return 0, ErrLoopClosed
	}
	return len(p), nil
}

// written hands b to the transport, on the loop.
func (c *transportConn) written(b []byte) {
	err := c.inner.Write(b)
	c.mu.Lock()
	c.inFlight -= len(b)
	if err != nil && c.err == nil {
		c.err = err
	}
	c.cond.Broadcast()
	c.mu.Unlock()
}

// Close ends the conn for its goroutines and closes the transport once
// what was written is sent.
func (c *transportConn) Close() error {
	if !c.markClosed() {
		return nil
	}
	c.loop.CallSoonThreadsafe(func() { c.inner.Close() })
	return nil
}

// abort ends the conn and aborts the transport at once; it is called on
// the loop.
func (c *transportConn) abort() {
	c.markClosed()
	if !c.loop.isClosed() {
		c.inner.Abort()
	} else if r, ok := c.inner.(loopResource); ok {
		r.closeForLoop() // the loop is closing: no callback can run
	}
}

func (c *transportConn) markClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return false
	}
	c.closed = true
	c.cond.Broadcast()
	return true
}

// CloseWrite is not offered: a TLS conn's CloseWrite sends its alert and
// leaves the conn under it open, as it must.

func (c *transportConn) LocalAddr() net.Addr  { return c.inner.LocalAddr() }
func (c *transportConn) RemoteAddr() net.Addr { return c.inner.RemoteAddr() }

// Deadlines are not supported: the loop's timers bound the TLS handshake
// and shutdown (see net_tls.go), which abort the transport.
func (c *transportConn) SetDeadline(time.Time) error      { return nil }
func (c *transportConn) SetReadDeadline(time.Time) error  { return nil }
func (c *transportConn) SetWriteDeadline(time.Time) error { return nil }
