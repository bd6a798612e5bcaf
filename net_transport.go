package asyncio

import (
	"crypto/tls"
	"errors"
	"net"
)

// A Transport is one end of a connection as the loop drives it
// (asyncio.Transport): writes never block, reads are delivered to the
// Protocol. Its methods are called from code running on the loop.
type Transport interface {
	// Write queues p to be sent; p may be reused once Write returns. It
	// never blocks: what the socket does not take at once is buffered,
	// and a protocol implementing WriteFlowControl is paused when the
	// buffer passes its high-water mark. It fails once the transport is
	// closing or its write side is shut.
	Write(p []byte) error
	// WriteEOF shuts the write side once the buffer is sent.
	WriteEOF() error
	// CanWriteEOF reports whether WriteEOF is supported.
	CanWriteEOF() bool
	// Close closes the transport once the buffer is sent; the protocol's
	// ConnectionLost gets nil. Closing twice does nothing.
	Close() error
	// Abort closes the transport at once, dropping the buffer.
	Abort()
	// IsClosing reports whether Close or Abort was called or the
	// connection was lost.
	IsClosing() bool
	// PauseReading stops DataReceived until ResumeReading.
	PauseReading()
	// ResumeReading resumes DataReceived.
	ResumeReading()
	// IsReading reports whether the transport delivers data.
	IsReading() bool
	// SetWriteBufferLimits sets the marks at which a protocol
	// implementing WriteFlowControl is paused (more than high bytes
	// buffered) and resumed (at most low). A negative mark is asyncio's
	// None: high then defaults to 64 KiB, or 4×low if low is given, and
	// low to high/4. Marks above 2 GiB count as 2 GiB. It returns an error
	// wrapping ErrWriteBufferLimits, and changes nothing, if high is below
	// low. It may pause the protocol, never resume it: that waits until
	// the buffer shrinks.
	SetWriteBufferLimits(high, low int) error
	// WriteBufferLimits returns the high and low marks, in the order
	// SetWriteBufferLimits takes them.
	WriteBufferLimits() (high, low int)
	// WriteBufferSize returns the number of bytes waiting to be sent.
	WriteBufferSize() int
	// LocalAddr and RemoteAddr return the socket's addresses (asyncio's
	// get_extra_info("sockname"), ("peername")), or nil.
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	// TLS returns the state of the connection's TLS session (asyncio's
	// get_extra_info("ssl_object"), ("peercert"), ("cipher")), or nil if
	// the transport does not speak TLS.
	TLS() *tls.ConnectionState
	// Protocol returns the protocol the transport delivers to.
	Protocol() Protocol
	// SetProtocol makes the transport deliver to p from now on
	// (asyncio's set_protocol). The old protocol hears nothing more; p
	// gets no ConnectionMade.
	SetProtocol(p Protocol)
}

// transport is what both backends' transports offer the package beyond
// Transport: a server or a dialer makes one, then starts it.
type transport interface {
	Transport
	// start schedules the protocol's ConnectionMade, then reading, then
	// made, if it is not nil. made runs even if the transport was closed
	// before ConnectionMade could.
	start(made func())
	loopResource
	// link is the transport's tie to the server that accepted it.
	link() *serverLink
	// whenBuffered runs fn once at most n bytes wait to be sent, or once
	// the connection is lost.
	whenBuffered(n int, fn func())
}

// A serverLink ties a connection to the server that accepted it: the
// server counts it, ends it on CloseClients and AbortClients, and closes it
// when the loop closes. Such a connection is not in the loop's open set:
// its server stands for it there.
type serverLink struct {
	srv *Server
	idx int // in srv.conns
}

func (k *serverLink) link() *serverLink { return k }

// connectionLost is the end both backends' finish share, once the
// carrier is closed: the drain callback runs, since nothing more will
// drain, the protocol hears of the loss, and the server that accepted t
// lets go of it. The protocol of a connection that was never made (its
// TLS handshake failed) hears nothing.
func connectionLost(t transport, f *flowControl, made bool, err error) {
	if made {
		f.drained()
		t.Protocol().ConnectionLost(err)
	}
	if k := t.link(); k.srv != nil {
		k.srv.remove(t)
	}
}

// Default write buffer marks of a transport (asyncio's).
const (
	DefaultWriteHigh = 64 << 10
	DefaultWriteLow  = DefaultWriteHigh / 4
)

// ErrTransportClosing is returned by writes to a transport that is
// closing, ErrWriteShut by writes after WriteEOF, and an error wrapping
// ErrWriteBufferLimits by SetWriteBufferLimits with a high mark below the
// low one (asyncio: ValueError).
var (
	ErrTransportClosing  = errors.New("asyncio: transport is closing")
	ErrWriteShut         = errors.New("asyncio: write after WriteEOF")
	ErrWriteBufferLimits = errors.New("asyncio: invalid write buffer limits")
)
