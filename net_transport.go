package asyncio

import (
	"crypto/tls"
	"errors"
	"math"
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
	// SetWriteBufferLimits sets the marks at which the protocol is paused
	// and resumed; high ≤ 0 means the default, 64 KiB, and low < 0 means
	// high/4.
	SetWriteBufferLimits(high, low int)
	// WriteBufferLimits returns the low and high marks.
	WriteBufferLimits() (low, high int)
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

// writeLimits applies SetWriteBufferLimits' defaults to high and low, and
// keeps them within 2 GiB.
func writeLimits(high, low int) (int, int) {
	if high <= 0 {
		high = DefaultWriteHigh
	}
	high = min(high, math.MaxInt32)
	if low < 0 {
		low = high / 4
	}
	return high, min(low, high)
}

// Default write buffer marks of a transport (asyncio's).
const (
	DefaultWriteHigh = 64 << 10
	DefaultWriteLow  = DefaultWriteHigh / 4
)

// ErrTransportClosing is returned by writes to a transport that is
// closing, and ErrWriteShut by writes after WriteEOF.
var (
	ErrTransportClosing = errors.New("asyncio: transport is closing")
	ErrWriteShut        = errors.New("asyncio: write after WriteEOF")
)
