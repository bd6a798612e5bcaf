package simnet

import (
	"crypto/tls"
	"errors"
	"fmt"
	"math"
	"net"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

// The sizes of a connection's traffic.
const (
	segmentSize = 16 << 10  // the most one packet carries
	window      = 256 << 10 // the most that may be on the way, or arrived and not taken
	readChunk   = 64 << 10  // the most one DataReceived gets, as a real transport reads
)

// A segment is one packet of a connection. Both directions number their
// segments from 0; the receiver takes them in that order, whatever order
// they arrive in.
type segment struct {
	seq  uint64
	kind segmentKind
	data []byte
}

type segmentKind uint8

const (
	segData segmentKind = iota
	segFIN
	// segAccept is the listener's answer to a dial, the first segment of
	// its direction: data the server writes at once cannot overtake it.
	segAccept
)

var errEmptyBuffer = errors.New("simnet: BufferedProtocol.GetBuffer returned an empty buffer")

// conn is one end of a connection on a simulated network: the Transport
// that a dial, a listener or Pipe hands out. It lives on the loop, in the
// callbacks the network schedules, like every part of the network.
type conn struct {
	net           *Network
	host          *Host
	route         route // to the other end's host
	local, remote Addr
	// peer is the other end. A dialing end learns it when the listener
	// accepts; packets are addressed to it directly, the simulation's
	// stand-in for the table of a host's sockets.
	peer      *conn
	proto     asyncio.Protocol
	listener  *Listener   // that accepted the connection, if one did
	dialed    func(error) // while dialing: says how the dial ended
	deliverFn func()      // deliver, bound once
	err       error       // what the connection ended with

	// Sending.
	unsent      []byte // written and not yet sent: WriteBufferSize
	high, low   int
	paused      bool // the protocol was told to pause writing
	outstanding int  // bytes sent that the peer's protocol has not taken
	nextSeq     uint64
	eofQueued   bool // WriteEOF was called: a FIN follows the data
	finSent     bool

	// Receiving.
	expect     uint64             // the number of the next segment to take
	early      map[uint64]segment // segments that overtook a missing one
	rbuf       []byte             // taken in order, not yet delivered
	eofIn      bool               // the peer's FIN came, after rbuf
	eofDone    bool               // EOFReceived was called
	made       bool               // ConnectionMade has run, or was skipped
	delivering bool               // deliver is scheduled

	readPaused bool
	closing    bool
	finishing  bool // finish is scheduled
	lost       bool
}

func newConn(h, peerHost *Host, local, remote Addr) *conn {
	c := &conn{
		net: h.net, host: h, route: route{h.name, peerHost.name},
		local: local, remote: remote,
		high: asyncio.DefaultWriteHigh, low: asyncio.DefaultWriteLow,
	}
	c.deliverFn = c.deliver
	return c
}

// start schedules ConnectionMade, then the delivery of what has arrived,
// then made, if it is not nil, as the loop's transports start.
func (c *conn) start(made func()) {
	c.net.loop.CallSoon(func() {
		if !c.closing {
			c.proto.ConnectionMade(c)
		}
		c.made = true
		c.scheduleDeliver()
		if made != nil {
			made()
		}
	})
}

func (c *conn) Write(p []byte) error {
	switch {
	case c.closing:
		return asyncio.ErrTransportClosing
	case c.eofQueued:
		return asyncio.ErrWriteShut
	case len(p) == 0:
		return nil
	}
	c.unsent = append(c.unsent, p...)
	c.pump()
	c.maybePause()
	return nil
}

// pump sends what the window has room for, then the FIN if one is due,
// and finishes a closing connection once nothing is left unsent: a socket
// is done with a buffer once the kernel has taken it.
func (c *conn) pump() {
	if c.lost {
		return
	}
	for len(c.unsent) > 0 && c.outstanding < window {
		n := min(len(c.unsent), window-c.outstanding, segmentSize)
		// Sent as is: Write only appends past the end of unsent.
		data := c.unsent[:n:n]
		if c.unsent = c.unsent[n:]; len(c.unsent) == 0 {
			c.unsent = nil
		}
		c.outstanding += n
		c.send(segData, data)
	}
	if len(c.unsent) > 0 {
		return
	}
	if c.eofQueued && !c.finSent {
		c.finSent = true
		c.send(segFIN, nil)
	}
	c.maybeResume()
	if c.closing {
		c.scheduleFinish(nil)
	}
}

// send sends the next segment to the peer, again and again until it
// arrives.
func (c *conn) send(kind segmentKind, data []byte) {
	s := segment{seq: c.nextSeq, kind: kind, data: data}
	c.nextSeq++
	peer := c.peer
	c.net.sendReliably(c.route, len(data)+headerSize, func() { peer.arrive(s) }, c.timedOut)
}

// timedOut runs when a segment has been sent again for the user timeout.
func (c *conn) timedOut() {
	if !c.lost {
		c.fatal(c.opError("write", syscall.ETIMEDOUT))
	}
}

func (c *conn) maybePause() {
	if c.paused || len(c.unsent) <= c.high {
		return
	}
	if flow, ok := c.proto.(asyncio.WriteFlowControl); ok {
		c.paused = true
		flow.PauseWriting()
	}
}

func (c *conn) maybeResume() {
	if c.paused && len(c.unsent) <= c.low {
		c.paused = false
		if flow, ok := c.proto.(asyncio.WriteFlowControl); ok { // SetProtocol may have changed it
			flow.ResumeWriting()
		}
	}
}

// arrive runs when a segment from the peer arrives.
func (c *conn) arrive(s segment) {
	if c.lost {
		// A closed socket answers what the peer still sends with a
		// reset; a FIN needs no answer. The peer would send the segment
		// again until a reset came: the reset is what is sent until it
		// arrives.
		if s.kind != segFIN {
			c.net.sendReliably(c.route, headerSize, c.peer.reset, func() {})
		}
		return
	}
	if s.seq != c.expect {
		if c.early == nil {
			c.early = make(map[uint64]segment)
		}
		c.early[s.seq] = s
		return
	}
	c.take(s)
	for {
		next, ok := c.early[c.expect]
		if !ok {
			break
		}
		delete(c.early, c.expect)
		c.take(next)
	}
	c.scheduleDeliver()
}

// take takes the next segment in order.
func (c *conn) take(s segment) {
	c.expect++
	switch s.kind {
	case segAccept:
		if d := c.dialed; d != nil {
			c.dialed = nil
			d(nil)
		}
	case segData:
		c.rbuf = append(c.rbuf, s.data...)
	case segFIN:
		c.eofIn = true
	}
}

func (c *conn) scheduleDeliver() {
	if c.delivering || !c.made || c.readPaused || c.closing {
		return
	}
	if len(c.rbuf) > 0 || c.eofIn && !c.eofDone {
		c.delivering = true
		c.net.loop.CallSoon(c.deliverFn)
	}
}

// deliver hands the protocol one chunk of what arrived, or the EOF, as a
// real transport does one read per callback; it schedules itself again
// while there is more.
func (c *conn) deliver() {
	c.delivering = false
	if c.lost || c.closing || c.readPaused {
		return
	}
	if n := min(len(c.rbuf), readChunk); n > 0 {
		p := c.rbuf[:n:n]
		if c.rbuf = c.rbuf[n:]; len(c.rbuf) == 0 {
			c.rbuf = nil
		}
		c.feed(p)
		for i := range p { // p was the protocol's only during the call
			p[i] = 0xdb
		}
		c.peer.taken(n)
		c.scheduleDeliver()
		return
	}
	if c.eofIn && !c.eofDone {
		c.eofDone = true
		if !c.proto.EOFReceived() {
			c.Close()
		}
	}
}

// feed gives p to the protocol, into its own buffers if it has some.
func (c *conn) feed(p []byte) {
	bp, ok := c.proto.(asyncio.BufferedProtocol)
	if !ok {
		c.proto.DataReceived(p)
		return
	}
	for len(p) > 0 && !c.closing {
		b := bp.GetBuffer(len(p))
		if len(b) == 0 {
			c.fatal(errEmptyBuffer)
			return
		}
		n := copy(b, p)
		bp.BufferUpdated(n)
		p = p[n:]
	}
}

// taken runs when the peer's protocol has taken n bytes this end sent:
// they leave the window.
func (c *conn) taken(n int) {
	c.outstanding -= n
	c.pump()
}

// sendReset tells the peer, once, that the connection is reset, as a
// kernel does when a socket closes with data unread. If it is lost, the
// peer's next packet brings another (see arrive).
func (c *conn) sendReset() {
	c.net.send(c.route, headerSize, c.peer.reset, nil)
}

// reset runs when a reset from the peer arrives.
func (c *conn) reset() {
	if !c.lost {
		c.fatal(c.opError("read", syscall.ECONNRESET))
	}
}

// dialFailed ends a dial that was refused or timed out.
func (c *conn) dialFailed(err error) {
	if d := c.dialed; d != nil {
		c.dialed = nil
		c.lost, c.closing = true, true
		d(err)
	}
}

// abandon closes the socket of a dial given up: what the listener answers
// will be reset.
func (c *conn) abandon() {
	c.dialed = nil
	c.lost, c.closing = true, true
}

func (c *conn) WriteEOF() error {
	switch {
	case c.closing:
		return asyncio.ErrTransportClosing
	case c.eofQueued:
		return nil
	}
	c.eofQueued = true
	c.pump()
	return nil
}

func (c *conn) CanWriteEOF() bool { return true }

func (c *conn) Close() error {
	if c.closing {
		return nil
	}
	c.closing = true
	c.pump()
	return nil
}

func (c *conn) Abort() { c.fatal(nil) }

// fatal ends the connection at once with err (nil for an abort).
func (c *conn) fatal(err error) {
	c.closing = true
	c.unsent = nil
	c.scheduleFinish(err)
}

func (c *conn) scheduleFinish(err error) {
	if c.finishing || c.lost {
		return
	}
	c.finishing = true
	c.net.loop.CallSoon(func() { c.finish(err) })
}

// finish closes the socket and tells the protocol, once. Closing sends
// the FIN after what was sent, or, if data arrived that the protocol never
// took, a reset, as a kernel does.
func (c *conn) finish(err error) {
	if c.lost {
		return
	}
	c.lost, c.closing = true, true
	c.unsent = nil
	if err == nil && c.peer != nil {
		if len(c.rbuf) > 0 || len(c.early) > 0 {
			c.sendReset()
		} else if !c.finSent {
			c.finSent = true
			c.send(segFIN, nil)
		}
	}
	c.rbuf, c.early = nil, nil
	c.err = err
	if c.listener != nil {
		c.listener.remove(c)
	}
	if c.proto != nil && c.made {
		c.proto.ConnectionLost(err)
	}
}

func (c *conn) opError(op string, err error) error {
	return &net.OpError{Op: op, Net: "simnet", Source: c.local, Addr: c.remote, Err: err}
}

func (c *conn) IsClosing() bool { return c.closing }

func (c *conn) PauseReading() {
	if c.closing || c.readPaused {
		return
	}
	c.readPaused = true
}

func (c *conn) ResumeReading() {
	if c.closing || !c.readPaused {
		return
	}
	c.readPaused = false
	c.scheduleDeliver() // not inline: ResumeReading may come from a protocol's own call
}

func (c *conn) IsReading() bool { return !c.readPaused && !c.closing }

func (c *conn) SetWriteBufferLimits(high, low int) error {
	h, l, err := writeLimits(high, low)
	if err != nil {
		return err
	}
	c.high, c.low = h, l
	c.maybePause() // as asyncio's: never a resume
	return nil
}

func (c *conn) WriteBufferLimits() (high, low int) { return c.high, c.low }

// writeLimits applies the rules of asyncio.Transport's
// SetWriteBufferLimits to high and low.
func writeLimits(high, low int) (int, int, error) {
	if high < 0 {
		high = asyncio.DefaultWriteHigh
		if low >= 0 {
			high = max(4*min(low, math.MaxInt/4), low) // 4×low, saturated
		}
	}
	if low < 0 {
		low = high / 4
	}
	if high < low {
		return 0, 0, fmt.Errorf("%w: high %d is below low %d", asyncio.ErrWriteBufferLimits, high, low)
	}
	return min(high, math.MaxInt32), min(low, math.MaxInt32), nil
}

func (c *conn) WriteBufferSize() int { return len(c.unsent) }

func (c *conn) LocalAddr() net.Addr  { return c.local }
func (c *conn) RemoteAddr() net.Addr { return c.remote }

func (c *conn) TLS() *tls.ConnectionState { return nil }

func (c *conn) Protocol() asyncio.Protocol { return c.proto }

func (c *conn) SetProtocol(p asyncio.Protocol) { c.proto = p }
