package aiohttp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// Read buffers: a connection reads into a small buffer from a pool, grows
// it while a head or a body needs more, and gives it back once it holds
// nothing, so that an idle keep-alive connection holds no buffer at all.
const (
	readBufSize = 4 << 10
	// maxBuffered is how much a connection buffers, beyond the head being
	// parsed, before it stops reading: a body the handler has not read
	// yet, or pipelined requests.
	maxBuffered = 64 << 10
)

var readBufPool = sync.Pool{New: func() any { b := make([]byte, readBufSize); return &b }}

type connState uint8

const (
	stateIdle   connState = iota // between requests, nothing buffered
	stateHead                    // part of a head has arrived
	stateBusy                    // a request's task runs
	stateClosed                  // closing or closed
)

// conn is one connection: the protocol its transport delivers to. All of
// its state is confined to the loop: protocol callbacks, the task of its
// current request and tasks the request's helpers submit touch it, one at
// a time.
type conn struct {
	srv *Server
	t   asyncio.Transport
	// ctx is the server's base ctx with the connection's local address,
	// which requests' tasks take their values from.
	ctx        context.Context
	remoteAddr string

	buf    []byte // nil when empty and idle
	bufRef *[]byte
	r0, r1 int // unread bytes: buf[r0:r1]
	// held counts bytes of a chunked body decoded but not read yet,
	// which lie just before r0.
	held int
	// scanned is how far a partial head has been looked at for its end.
	scanned int
	// headStart is set when a head has begun to arrive and its timer is
	// not armed yet.
	headStart bool
	eof       bool // the peer shut its side
	lost      bool // ConnectionLost was called

	state    connState
	closing  bool // close after the current response (Shutdown)
	parsed   http1.Request
	timer    *asyncio.TimerHandle
	deadline time.Duration // on the loop's clock; 0: none
	onTimer  func()

	// The current request.
	task     *asyncio.Task[struct{}]
	started  bool // the task's body has begun
	ex       exchange
	serveFn  func(context.Context) (struct{}, error)
	dataEv   *asyncio.Event // set when bytes arrive or the connection ends
	writeEv  *asyncio.Event // set when writing may go on
	wpaused  bool
	hijacked bool
}

// newConn is the server's protocol factory.
func (s *Server) newConn() asyncio.Protocol {
	c := &conn{srv: s, dataEv: asyncio.NewEvent(), writeEv: asyncio.NewEvent()}
	c.serveFn = c.serve
	c.onTimer = c.timeout
	return c
}

// ConnectionMade implements asyncio.Protocol.
func (c *conn) ConnectionMade(t asyncio.Transport) {
	c.t = t
	c.ctx = c.srv.base
	if la := t.LocalAddr(); la != nil {
		c.ctx = context.WithValue(c.ctx, localAddrKey, la)
	}
	if ra := t.RemoteAddr(); ra != nil {
		c.remoteAddr = ra.String()
	}
	if c.srv.stopping {
		c.state = stateClosed
		t.Abort()
		return
	}
	c.srv.conns[c] = struct{}{}
	// A new connection must send its first head within the head timeout.
	c.setTimer(c.srv.cfg.readHeaderTimeout)
}

// GetBuffer implements asyncio.BufferedProtocol.
func (c *conn) GetBuffer(int) []byte {
	if c.buf == nil {
		c.bufRef = readBufPool.Get().(*[]byte)
		c.buf = *c.bufRef
		c.r0, c.r1, c.held = 0, 0, 0
	}
	if c.r1 == len(c.buf) {
		start := c.r0 - c.held
		if start > 0 {
			copy(c.buf, c.buf[start:c.r1])
			c.r0 -= start
			c.r1 -= start // scanned counts from r0: it stays
		} else {
			nb := make([]byte, 2*len(c.buf))
			copy(nb, c.buf[:c.r1])
			if c.bufRef != nil {
				readBufPool.Put(c.bufRef)
				c.bufRef = nil
			}
			c.buf = nb
		}
	}
	return c.buf[c.r1:]
}

// BufferUpdated implements asyncio.BufferedProtocol.
func (c *conn) BufferUpdated(n int) {
	c.r1 += n
	switch c.state {
	case stateIdle, stateHead:
		c.readHead()
	case stateBusy:
		c.dataEv.Set()
		if c.r1-(c.r0-c.held) >= maxBuffered && c.r1 == len(c.buf) {
			c.t.PauseReading()
		}
	}
}

// DataReceived implements asyncio.Protocol; the transport calls the
// buffered methods instead.
func (c *conn) DataReceived(p []byte) {
	for len(p) > 0 {
		b := c.GetBuffer(len(p))
		n := copy(b, p)
		p = p[n:]
		c.BufferUpdated(n)
	}
}

// EOFReceived implements asyncio.Protocol. A client may shut its side once
// its request is sent; the response still goes out.
func (c *conn) EOFReceived() bool {
	c.eof = true
	c.dataEv.Set()
	if c.state == stateBusy {
		// The client will send nothing more, which a client still waiting
		// for its response does not do: it has gone. As net/http does, the
		// handler's ctx is cancelled, so that the work it asked for stops;
		// the connection stays open for what the handler still writes.
		c.cancelTask(errClientGone)
		return true
	}
	return false
}

// ConnectionLost implements asyncio.Protocol.
func (c *conn) ConnectionLost(error) {
	c.lost = true
	c.state = stateClosed
	c.dropTimer()
	c.dataEv.Set()
	c.writeEv.Set()
	if c.task != nil {
		c.cancelTask(errConnClosed)
	} else {
		c.releaseBuf()
	}
	if !c.hijacked {
		delete(c.srv.conns, c)
		c.srv.checkDone()
	}
}

// PauseWriting implements asyncio.WriteFlowControl.
func (c *conn) PauseWriting() {
	c.wpaused = true
	c.writeEv.Clear()
}

// ResumeWriting implements asyncio.WriteFlowControl.
func (c *conn) ResumeWriting() {
	c.wpaused = false
	c.writeEv.Set()
}

// releaseBuf gives the read buffer back to the pool.
func (c *conn) releaseBuf() {
	if c.bufRef != nil {
		readBufPool.Put(c.bufRef)
		c.bufRef = nil
	}
	c.buf = nil
	c.r0, c.r1, c.held, c.scanned = 0, 0, 0, 0
}

// setTimer sets the connection's one deadline, d from now: the head timeout
// or the keep-alive timeout, whichever its state calls for. A timer already
// pending that fires no later is kept and re-armed for the rest when it
// fires, so that a connection going from request to request does not make
// a timer for each.
func (c *conn) setTimer(d time.Duration) {
	if d <= 0 {
		c.deadline = 0
		return
	}
	c.deadline = c.srv.loop.Time() + d
	if c.timer != nil {
		if c.timer.When() <= c.deadline {
			return
		}
		c.timer.Cancel()
	}
	c.timer = c.srv.loop.CallAt(c.deadline, c.onTimer)
}

// stopTimer clears the deadline; the pending timer, if any, finds nothing
// to do when it fires.
func (c *conn) stopTimer() { c.deadline = 0 }

// dropTimer cancels the pending timer, for a connection that has ended.
func (c *conn) dropTimer() {
	c.deadline = 0
	if c.timer != nil {
		c.timer.Cancel()
		c.timer = nil
	}
}

// timeout runs when the connection's timer fires.
func (c *conn) timeout() {
	c.timer = nil
	if c.deadline == 0 {
		return
	}
	if now := c.srv.loop.Time(); now < c.deadline {
		c.timer = c.srv.loop.CallAt(c.deadline, c.onTimer)
		return
	}
	c.deadline = 0
	switch c.state {
	case stateIdle:
		c.close()
	case stateHead:
		c.fail(http.StatusRequestTimeout)
	}
}

// close closes the connection once what is written is sent.
func (c *conn) close() {
	c.state = stateClosed
	c.dropTimer()
	c.t.Close()
}

// abort cancels the connection's request, if any, and aborts it.
func (c *conn) abort(cause error) {
	if c.task != nil {
		c.cancelTask(cause)
	}
	c.state = stateClosed
	c.dropTimer()
	c.t.Abort()
}

// shutdown closes the connection if it is idle, or once the current
// response is sent.
func (c *conn) shutdown() {
	c.closing = true
	if c.state == stateIdle || c.state == stateHead {
		c.close()
	}
}

// readHead parses the head buffered so far and, once it is whole, starts
// the request's task.
func (c *conn) readHead() {
	if c.r0 == c.r1 {
		c.becomeIdle()
		return
	}
	if c.state == stateIdle {
		// The head timer is armed only if the head is not whole in the
		// first read, which is the common case's saving.
		c.state = stateHead
		c.headStart = true
	}
	// A head dripped in small pieces is parsed again only when a line
	// has ended, so that a slow client cannot make parsing quadratic.
	if bytes.IndexByte(c.buf[c.r0+c.scanned:c.r1], '\n') < 0 {
		c.scanned = c.r1 - c.r0
		if c.scanned <= c.maxLine() {
			c.armHeadTimer()
			return
		}
	}
	c.scanned = c.r1 - c.r0
	n, err := c.parsed.Parse(c.buf[c.r0:c.r1], c.srv.cfg.limits)
	if err == http1.ErrIncomplete {
		c.armHeadTimer()
		return
	}
	if err != nil {
		c.fail(c.statusFor(err))
		return
	}
	c.scanned = 0
	if code := c.ex.start(c, n); code != 0 {
		c.fail(code)
		return
	}
	c.stopTimer()
	c.headStart = false
	c.state = stateBusy
	c.srv.tasks++
	c.task = asyncio.Spawn(c.ctx, c.serveFn, asyncio.Name(c.ex.taskName()))
}

// statusFor is the status with which a head that failed to parse is
// refused.
func (c *conn) statusFor(err error) int {
	switch {
	case errors.Is(err, http1.ErrLineTooLong):
		// Is it the request line that is too long?
		if i := bytes.IndexByte(c.buf[c.r0:c.r1], '\n'); i < 0 || i > c.maxLine() {
			return 414
		}
		return 431
	case errors.Is(err, http1.ErrHeadTooLarge), errors.Is(err, http1.ErrTooManyHeaders):
		return 431
	case errors.Is(err, http1.ErrBadVersion):
		return 505
	}
	return 400
}

// fail answers a request that cannot be served with code and closes the
// connection.
func (c *conn) fail(code int) {
	b := http1.AppendStatusLine(nil, 1, code)
	b = append(b, "Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n"...)
	b = strconv.AppendInt(b, int64(code), 10)
	b = append(b, ' ')
	b = append(b, http.StatusText(code)...)
	_ = c.t.Write(b)
	c.close()
	c.releaseBuf()
}

// becomeIdle makes a connection that has served a request wait for the
// next one, giving its buffers back.
func (c *conn) becomeIdle() {
	c.state = stateIdle
	c.releaseBuf()
	if c.closing || c.eof {
		c.close()
		return
	}
	c.setTimer(c.srv.cfg.keepAliveTimeout)
}

// maxLine is the longest line the parser accepts.
func (c *conn) maxLine() int {
	if n := c.srv.cfg.limits.MaxLineBytes; n > 0 {
		return n
	}
	return http1.DefaultMaxLineBytes
}

// armHeadTimer starts the head timeout when a head has begun to arrive.
func (c *conn) armHeadTimer() {
	if c.headStart {
		c.headStart = false
		c.setTimer(c.srv.cfg.readHeaderTimeout)
	}
}

// writeFailed is what a response's write returns once the connection can
// take no more: the transport is closing after an error of its own, and
// ConnectionLost, which cancels the request's task, has yet to run. As
// net/http cancels a request's ctx when a write to its connection fails,
// the request's task is cancelled now, so that a handler told by Write that
// the connection is closed also finds its ctx done.
func (c *conn) writeFailed() error {
	if c.task != nil {
		c.cancelTask(errConnClosed)
	}
	return errConnClosed
}

// cancelTask cancels the request's task. A task cancelled before its first
// step would never run its body, which accounts for its end, so one that
// has not started is left to find its connection closed instead.
func (c *conn) cancelTask(cause error) {
	if c.started {
		c.task.CancelCause(cause)
		c.dataEv.Set()
		c.writeEv.Set()
	}
}
