package asyncio

import "errors"

// A Protocol receives the events of a connection from its Transport
// (asyncio.Protocol). The loop calls its methods on the loop, one at a
// time: ConnectionMade first, then DataReceived any number of times,
// EOFReceived at most once, and ConnectionLost last, exactly once.
type Protocol interface {
	// ConnectionMade is called when the connection is up, with its
	// transport.
	ConnectionMade(t Transport)
	// DataReceived is called with data that arrived. p belongs to the
	// transport and is valid only during the call: copy what must be
	// kept, as with bufio.Scanner.Bytes. That spares a copy per read.
	DataReceived(p []byte)
	// EOFReceived is called when the peer has closed its side for
	// writing. Returning false closes the transport; true keeps it open
	// for writing (a half-closed connection).
	EOFReceived() (keepOpen bool)
	// ConnectionLost is called when the connection is closed: err is nil
	// for a regular close or abort, the error otherwise.
	ConnectionLost(err error)
}

// WriteFlowControl is implemented by a Protocol that wants to know when
// its transport's write buffer is too full (asyncio's pause_writing and
// resume_writing): PauseWriting when the buffer grows past the high-water
// mark, ResumeWriting when it drains to the low-water mark. The calls come
// in pairs and never nest.
type WriteFlowControl interface {
	PauseWriting()
	ResumeWriting()
}

// BufferedProtocol is implemented by a Protocol that wants received data
// written straight into buffers it owns (asyncio.BufferedProtocol): the
// transport calls GetBuffer for a buffer to read into, then BufferUpdated
// with how many bytes it wrote there, instead of DataReceived. On the
// poller backend the socket reads into the buffer, with no copy; the
// portable backend copies into it. GetBuffer must return a non-empty
// buffer, which the transport uses only until BufferUpdated.
type BufferedProtocol interface {
	Protocol
	// GetBuffer returns the buffer to read into; sizeHint is how much
	// the transport would like to read, or 0 if it has no idea.
	GetBuffer(sizeHint int) []byte
	// BufferUpdated says that the first n bytes of the last buffer hold
	// new data.
	BufferUpdated(n int)
}

// errEmptyBuffer is the error a transport ends with when a BufferedProtocol
// returns no room to read into.
var errEmptyBuffer = errors.New("asyncio: BufferedProtocol.GetBuffer returned an empty buffer")

// BaseProtocol implements Protocol with methods that do nothing, to embed
// in a protocol that needs only some of them. Its EOFReceived returns
// false: the transport closes.
type BaseProtocol struct{}

// ConnectionMade does nothing.
func (BaseProtocol) ConnectionMade(Transport) {}

// DataReceived does nothing.
func (BaseProtocol) DataReceived([]byte) {}

// EOFReceived returns false.
func (BaseProtocol) EOFReceived() bool { return false }

// ConnectionLost does nothing.
func (BaseProtocol) ConnectionLost(error) {}
