package aiohttp

import (
	"io"
	"slices"
	"sync"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Flow control of received messages: a WebSocket stops reading from its
// socket while this much waits in its inbox for Receive, so that a peer
// cannot make it buffer without bound, and reads again below half.
const (
	wsInboxBytes    = 64 << 10
	wsInboxMessages = 64
	// wsPreallocMax is the largest message whose buffer is made at its
	// announced length once its first bytes are there; a longer one grows
	// as its bytes arrive, so that a header alone cannot make the
	// WebSocket allocate more than the inbox may hold anyway (at 1 MiB, a
	// thousand peers each sending a header and nothing more would cost a
	// gigabyte).
	wsPreallocMax = wsInboxBytes
)

// wsReadBufs are the read buffers of WebSockets. A WebSocket holds one only
// while it has bytes of an unfinished frame, and gives it back as soon as
// it has parsed everything read, so the buffers in use are those of the
// connections being read from at that moment, not one per connection.
// They are larger than the HTTP connections' 4 KiB so that a message of a
// few KiB, header and payload, arrives in one read.
var wsReadBufs = sync.Pool{New: func() any { b := make([]byte, wsReadBufSize); return &b }}

const wsReadBufSize = 16 << 10

// Protocol errors of the message layer, which wsframe's frame layer
// cannot see.
var (
	errWSContinuation = &WSProtocolError{Code: wsframe.CloseProtocolError, Reason: "continuation frame outside a fragmented message"}
	errWSInterleaved  = &WSProtocolError{Code: wsframe.CloseProtocolError, Reason: "new message inside a fragmented message"}
)

// wsReader is the receiving half of a WebSocket: the read buffer, the frame
// being read, the message being assembled and the inbox of whole messages
// Receive takes from. It is confined to the loop.
type wsReader struct {
	buf  *[]byte // from wsReadBufs; nil while empty
	r, w int     // unread bytes: (*buf)[r:w]

	hdr     wsframe.Header
	inFrame bool  // hdr is parsed and its payload is being read
	pos     int64 // payload bytes of hdr read so far

	msg        []byte // the message being assembled
	msgType    WSMsgType
	msgOpen    bool // a fragmented message has begun
	compressed bool
	utf8       wsframe.UTF8Validator
	// direct says that the transport reads into msg's free capacity,
	// which GetBuffer handed out for the payload of a long frame.
	direct bool

	inbox  []WSMessage
	head   int // inbox[head:] are waiting
	queued int // bytes of the waiting messages
	paused bool
	ready  asyncio.Event // set when a message arrives or the connection ends
}

// ConnectionMade implements asyncio.Protocol; a protocol set by SetProtocol
// gets none.
func (ws *WebSocket) ConnectionMade(asyncio.Transport) {}

// GetBuffer implements asyncio.BufferedProtocol. While the payload of a
// long data frame is being read and nothing else is buffered, the socket
// reads straight into the message, at most to the end of the frame: no
// copy, and reads as long as the socket has bytes.
func (ws *WebSocket) GetBuffer(int) []byte {
	in := &ws.in
	if in.buf == nil && in.inFrame && !in.hdr.Opcode.IsControl() && !ws.closing.got && !ws.closing.done {
		if rest := in.hdr.Length - in.pos; rest >= wsReadBufSize {
			// Grow by what is known to be coming, up to what the
			// message already holds: a peer that announces a long
			// frame and sends little of it costs what it sent.
			want := int(min(rest, int64(max(len(in.msg), wsReadBufSize))))
			if cap(in.msg)-len(in.msg) < want {
				in.msg = slices.Grow(in.msg, want)
			}
			in.direct = true
			n := min(int64(cap(in.msg)-len(in.msg)), rest)
			return in.msg[len(in.msg) : len(in.msg)+int(n)]
		}
	}
	if in.buf == nil {
		in.buf = wsReadBufs.Get().(*[]byte)
		in.r, in.w = 0, 0
	}
	b := *in.buf
	if in.w == len(b) {
		// Only a frame header or a control frame (at most 127 + 14
		// bytes) waits whole in the buffer: data payloads are consumed
		// as they come. Moving it to the front always makes room.
		in.w = copy(b, b[in.r:in.w])
		in.r = 0
	}
	return b[in.w:]
}

// BufferUpdated implements asyncio.BufferedProtocol.
func (ws *WebSocket) BufferUpdated(n int) {
	in := &ws.in
	ws.beat.heard = true
	if in.direct {
		in.direct = false
		ws.payload(in.msg[len(in.msg):len(in.msg)+n], true)
		return
	}
	in.w += n
	ws.readFrames()
	if in.buf != nil && in.r == in.w {
		wsReadBufs.Put(in.buf)
		in.buf = nil
	}
}

// DataReceived implements asyncio.Protocol, for transports that do not
// call the buffered methods (TLS).
func (ws *WebSocket) DataReceived(p []byte) {
	for len(p) > 0 && !ws.closing.done {
		n := copy(ws.GetBuffer(len(p)), p)
		p = p[n:]
		ws.BufferUpdated(n)
	}
}

// EOFReceived implements asyncio.Protocol: a peer that shuts its side
// sends nothing more, and the transport closes.
func (ws *WebSocket) EOFReceived() bool { return false }

// readFrames parses the frames buffered so far.
func (ws *WebSocket) readFrames() {
	in := &ws.in
	for !ws.closing.done && !ws.closing.got && in.buf != nil {
		data := (*in.buf)[in.r:in.w]
		if !in.inFrame {
			h, n, err := wsframe.ParseHeader(data, wsframe.Limits{AllowRSV1: ws.out.deflate != nil}, ws.role)
			if err == wsframe.ErrIncomplete {
				return
			}
			if err == nil {
				err = ws.beginFrame(h)
			}
			if err != nil {
				ws.fail(err)
				return
			}
			in.r += n
			continue
		}
		h := &in.hdr
		if h.Opcode.IsControl() {
			if int64(len(data)) < h.Length {
				return // a control frame is handled whole
			}
			p := data[:h.Length]
			if h.Masked {
				wsframe.Mask(h.MaskKey, 0, p)
			}
			in.r += len(p)
			in.inFrame = false
			ws.control(h.Opcode, p)
			continue
		}
		n := min(int64(len(data)), h.Length-in.pos)
		if n == 0 && in.pos < h.Length {
			return
		}
		in.r += int(n)
		if !ws.payload(data[:n], false) {
			return
		}
	}
}

// payload takes the next bytes p of the current data frame's payload:
// unmasks and checks them, adds them to the message (inPlace: p is the
// message's free capacity, which the socket read into, see GetBuffer), and
// completes the frame and the message at their ends. It reports false if
// it failed the connection.
func (ws *WebSocket) payload(p []byte, inPlace bool) bool {
	in := &ws.in
	h := &in.hdr
	if h.Masked {
		wsframe.Mask(h.MaskKey, int(in.pos), p)
	}
	if in.msgType == WSText && !in.compressed && !in.utf8.Write(p) {
		ws.fail(wsframe.ErrInvalidUTF8)
		return false
	}
	switch {
	case inPlace:
		in.msg = in.msg[:len(in.msg)+len(p)]
	case in.msg == nil && h.Fin && int64(len(p)) == h.Length:
		// The whole message at once, the common case: append makes
		// its buffer without first zeroing it, as make would.
		in.msg = append([]byte(nil), p...)
	case in.msg == nil && h.Fin && h.Length <= wsPreallocMax:
		in.msg = make([]byte, 0, h.Length)
		in.msg = append(in.msg, p...)
	default:
		in.msg = append(in.msg, p...)
	}
	in.pos += int64(len(p))
	if in.pos == h.Length {
		in.inFrame = false
		in.msgOpen = !h.Fin
		if h.Fin {
			ws.endMessage()
		}
	}
	return true
}

// beginFrame checks a new frame header against the message being
// assembled and the size limit, and starts a message with its first frame.
func (ws *WebSocket) beginFrame(h wsframe.Header) error {
	in := &ws.in
	in.hdr, in.inFrame, in.pos = h, true, 0
	switch h.Opcode {
	case wsframe.Continuation:
		if !in.msgOpen {
			return errWSContinuation
		}
	case wsframe.Text, wsframe.Binary:
		if in.msgOpen {
			return errWSInterleaved
		}
		in.msgType = WSMsgType(h.Opcode)
		in.compressed = h.RSV1
		in.utf8.Reset()
		in.msg = nil // made by payload, once it knows how much is there
	default:
		return nil // control frames: wsframe checked them
	}
	if max := ws.maxPayload(); max > 0 && int64(len(in.msg))+h.Length > int64(max) {
		return ErrWSMessageTooBig
	}
	return nil
}

// maxPayload bounds the bytes of a message as they arrive: MaxMsgSize,
// with room for the deflate overhead of an incompressible message when
// the message is compressed (its inflated size is checked again).
func (ws *WebSocket) maxPayload() int {
	n := ws.cfg.maxMsgSize
	if n <= 0 {
		return 1<<63 - 1
	}
	if ws.in.compressed {
		n += n/64 + 64
	}
	return n
}

// endMessage completes the message assembled and queues it for Receive.
func (ws *WebSocket) endMessage() {
	in := &ws.in
	data := in.msg
	in.msg = nil
	if in.compressed {
		var err error
		if data, err = ws.inflate(data); err != nil {
			ws.fail(err)
			return
		}
		if in.msgType == WSText && !in.utf8.Write(data) {
			ws.fail(wsframe.ErrInvalidUTF8)
			return
		}
	}
	if in.msgType == WSText && !in.utf8.Done() {
		ws.fail(wsframe.ErrInvalidUTF8)
		return
	}
	if data == nil {
		data = []byte{}
	}
	ws.deliver(WSMessage{Type: in.msgType, Data: data})
}

// deliver queues m for Receive, unless this end is closing: then data is
// dropped, as RFC 6455 allows once a close frame is sent.
func (ws *WebSocket) deliver(m WSMessage) {
	if ws.closing.sent {
		return
	}
	in := &ws.in
	in.inbox = append(in.inbox, m)
	in.queued += len(m.Data)
	in.ready.Set()
	ws.wakeHandler()
	if !in.paused && (in.queued >= wsInboxBytes || len(in.inbox)-in.head >= wsInboxMessages) {
		in.paused = true
		ws.t.PauseReading()
	}
}

// pop takes the oldest message of the inbox, reading from the socket again
// once the inbox is below half its bounds.
func (ws *WebSocket) pop() (WSMessage, bool) {
	in := &ws.in
	if in.head == len(in.inbox) {
		// Every message that came before the peer's close is received:
		// answer it now (see peerClosed).
		ws.answerClose()
		return WSMessage{}, false
	}
	m := in.inbox[in.head]
	in.inbox[in.head] = WSMessage{}
	in.head++
	in.queued -= len(m.Data)
	if in.head == len(in.inbox) {
		in.inbox, in.head = in.inbox[:0], 0
		if cap(in.inbox) > wsInboxMessages {
			in.inbox = nil
		}
	}
	if in.paused && in.queued < wsInboxBytes/2 && len(in.inbox)-in.head < wsInboxMessages/2 && !ws.closing.done {
		in.paused = false
		ws.t.ResumeReading()
	}
	return m, true
}

// control handles a control frame's payload p, which is valid only
// during the call.
func (ws *WebSocket) control(op wsframe.Opcode, p []byte) {
	switch op {
	case wsframe.Close:
		code, reason, err := wsframe.ParseClosePayload(p)
		if err != nil {
			ws.fail(err)
			return
		}
		ws.peerClosed(code, reason)
	case wsframe.Ping:
		if ws.cfg.noAutoping {
			ws.deliver(WSMessage{Type: WSPing, Data: append([]byte{}, p...)})
			return
		}
		if !ws.closing.sent {
			ws.pong(p)
		}
	case wsframe.Pong:
		ws.pongReceived(p)
		if ws.cfg.noAutoping {
			ws.deliver(WSMessage{Type: WSPong, Data: append([]byte{}, p...)})
		}
	}
}

// ConnectionLost implements asyncio.Protocol.
func (ws *WebSocket) ConnectionLost(err error) {
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	if e := ws.closing.peer; e != nil {
		ws.end(e) // the peer closed properly, and left before its answer
	}
	ws.end(&WSCloseError{Code: wsframe.CloseAbnormal, Err: err})
	ws.closing.done = true
	ws.stopTimers()
	if ws.in.buf != nil {
		wsReadBufs.Put(ws.in.buf)
		ws.in.buf = nil
	}
	ws.in.msg = nil
	ws.in.ready.Set()
	ws.out.ready.Set()
	ws.closing.ended.Set()
	ws.failPings()
	ws.wakeHandler()
	ws.out.release()
	if ws.srv != nil {
		delete(ws.srv.websockets, ws)
		ws.srv.checkDone()
	}
}
