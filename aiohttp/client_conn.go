package aiohttp

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/asyncio-go/asyncio"
)

// pauseAt is how much unread body a connection buffers before it stops
// reading from the socket until the reader catches up. Its read buffer
// comes from readBufPool, shared with the server's connections, and goes
// back there while the connection is idle with nothing buffered.
const pauseAt = 256 << 10

// clientConn is one HTTP/1.1 connection of the pool and the Protocol of its
// transport. It is confined to the session's loop.
type clientConn struct {
	pool *pool
	key  string
	t    asyncio.Transport

	buf  *[]byte // nil while idle with nothing buffered
	r, w int     // unread data is (*buf)[r:w]

	eof    bool  // the server closed its side
	lost   error // set with closed when the connection is gone
	closed bool

	ready   *asyncio.Event // set when data, EOF or the loss arrives
	drained *asyncio.Event // set while the write buffer is below its mark

	idle        bool
	idleTimer   *asyncio.TimerHandle // closes it when idle too long
	onIdleTimer func()               // idleTimeout, made once
	dropped     bool                 // no longer counted by the pool
	paused      bool                 // reading paused because the body reader lags

	// sent and answered say whether any byte of the current request
	// went to the transport, and any byte came back since it started:
	// a request lost before either may be retried (shouldRetry).
	sent, answered bool

	head parsedHead // the last response head
}

func newClientConn(p *pool, key string) *clientConn {
	c := &clientConn{pool: p, key: key, ready: asyncio.NewEvent(), drained: asyncio.NewEvent()}
	c.drained.Set()
	c.onIdleTimer = c.idleTimeout
	return c
}

// idleTimeout runs when the idle timer fires: the connection has been
// idle for the keep-alive timeout.
func (c *clientConn) idleTimeout() {
	if c.idle {
		c.t.Close()
	}
}

func (c *clientConn) ConnectionMade(t asyncio.Transport) { c.t = t }

// GetBuffer returns the free end of the read buffer, compacting or
// growing it when it is full: a response head must fit whole.
func (c *clientConn) GetBuffer(int) []byte {
	if c.buf == nil {
		c.buf = readBufPool.Get().(*[]byte)
		c.r, c.w = 0, 0
	}
	b := *c.buf
	if c.r == c.w {
		c.r, c.w = 0, 0
	}
	if c.w == len(b) {
		if c.r > 0 {
			c.w = copy(b, b[c.r:c.w])
			c.r = 0
		} else {
			nb := make([]byte, 2*len(b))
			copy(nb, b[:c.w])
			c.buf = &nb // not pooled back: freeBuffer keeps only the small size
			b = nb
		}
	}
	return b[c.w:]
}

func (c *clientConn) BufferUpdated(n int) {
	c.w += n
	if c.idle {
		// A server may not send on an idle connection (RFC 9112 9.3.2
		// allows only a close): it cannot be reused.
		c.abort()
		return
	}
	c.answered = true
	if c.w-c.r >= pauseAt && !c.paused {
		c.paused = true
		c.t.PauseReading()
	}
	c.ready.Set()
}

// DataReceived is how a TLS transport delivers: into the same buffer.
func (c *clientConn) DataReceived(p []byte) {
	for len(p) > 0 {
		n := copy(c.GetBuffer(len(p)), p)
		p = p[n:]
		c.BufferUpdated(n)
	}
}

func (c *clientConn) EOFReceived() bool {
	c.eof = true
	c.ready.Set()
	return false
}

func (c *clientConn) ConnectionLost(err error) {
	if err == nil {
		err = io.EOF
	}
	c.closed, c.lost = true, err
	c.ready.Set()
	c.drained.Set()
	c.pool.forget(c)
}

func (c *clientConn) PauseWriting()  { c.drained.Clear() }
func (c *clientConn) ResumeWriting() { c.drained.Set() }

// data returns the unread bytes.
func (c *clientConn) data() []byte {
	if c.buf == nil {
		return nil
	}
	return (*c.buf)[c.r:c.w]
}

// consume drops n unread bytes, resuming a paused transport once the
// reader has caught up.
func (c *clientConn) consume(n int) {
	c.r += n
	if c.paused && c.w-c.r < pauseAt/4 && !c.closed {
		c.paused = false
		c.t.ResumeReading()
	}
}

// freeBuffer gives the read buffer back to the pool if nothing is in it,
// and drops the last head's references into it.
func (c *clientConn) freeBuffer() {
	clear(c.head.Headers)
	c.head.Reason = nil
	if c.buf != nil && c.r == c.w && len(*c.buf) == readBufSize {
		readBufPool.Put(c.buf)
		c.buf = nil
	} else if c.buf != nil && c.r == c.w {
		c.buf = nil
	}
}

// atEnd reports whether no more bytes can arrive.
func (c *clientConn) atEnd() bool { return c.eof || c.closed }

// waitData waits until bytes beyond the have unread ones arrive, the
// stream ends, or the deadline passes.
func (c *clientConn) waitData(ctx context.Context, have int, deadline time.Duration, kind string) error {
	for c.w-c.r <= have && !c.atEnd() {
		c.ready.Clear()
		if err := waitUntil(ctx, deadline, kind, c.ready.Wait); err != nil {
			return err
		}
	}
	return nil
}

// write queues p and waits while the transport's buffer is full.
func (c *clientConn) write(ctx context.Context, p []byte, deadline time.Duration) error {
	if c.closed {
		return c.lostErr()
	}
	if err := c.t.Write(p); err != nil {
		if c.closed || c.t.IsClosing() {
			return c.lostErr()
		}
		return err
	}
	c.sent = true
	if !c.drained.IsSet() {
		if err := waitUntil(ctx, deadline, "total", c.drained.Wait); err != nil {
			return err
		}
	}
	if c.closed {
		return c.lostErr()
	}
	return nil
}

func (c *clientConn) lostErr() error {
	if c.lost == nil || c.lost == io.EOF {
		return ErrServerDisconnected
	}
	return &ServerDisconnectedError{Err: c.lost}
}

// abort closes the connection at once; it is never reused.
func (c *clientConn) abort() {
	if c.t != nil && !c.closed {
		c.t.Abort()
	}
}

// errReleased is what a body read gets after Release.
var errReleased = errors.New("aiohttp: response released")
