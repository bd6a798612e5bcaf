package aiohttp

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"sync"
	"unsafe"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsWriter is the sending half of a WebSocket. It is confined to the loop.
type wsWriter struct {
	paused  bool          // the transport's buffer is above its high-water mark
	stream  bool          // a message stream (Writer) is open
	ready   asyncio.Event // set when paused or stream may have changed, or the connection ended
	deflate *wsDeflate    // nil unless permessage-deflate was negotiated
	pongDue bool          // a ping came while paused: pong answers it on resuming
	pong    []byte        // that ping's data
}

// frameBufs stage a frame, header and (masked) payload, for one Write to
// the transport.
var frameBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxPooledFrame is the largest staging buffer kept in frameBufs.
const maxPooledFrame = 64 << 10

// PauseWriting implements asyncio.WriteFlowControl.
func (ws *WebSocket) PauseWriting() {
	ws.out.paused = true
	ws.out.ready.Clear()
}

// ResumeWriting implements asyncio.WriteFlowControl.
func (ws *WebSocket) ResumeWriting() {
	ws.out.paused = false
	if ws.out.pongDue && !ws.closing.sent {
		ws.out.pongDue = false
		_ = ws.writeFrame(wsframe.Pong, true, false, ws.out.pong)
	}
	ws.out.ready.Set()
}

// pong answers a ping with data p, which is valid only during the call.
// While the transport's buffer is over its mark, a peer that pings and
// does not read would make it grow without bound: then only the latest
// ping is answered, once there is room, as RFC 6455 section 5.5.3 allows.
func (ws *WebSocket) pong(p []byte) {
	if ws.out.paused {
		ws.out.pongDue = true
		ws.out.pong = append(ws.out.pong[:0], p...)
		return
	}
	_ = ws.writeFrame(wsframe.Pong, true, false, p)
}

// SendText sends s as a text message. s should be UTF-8: a peer fails the
// connection on text that is not.
func (ws *WebSocket) SendText(ctx context.Context, s string) error {
	// send only reads its bytes, and is done with them when it returns.
	return ws.sendOp(ctx, wsframe.Text, unsafe.Slice(unsafe.StringData(s), len(s)))
}

// SendBytes sends b as a binary message. b may be reused once SendBytes
// returns.
func (ws *WebSocket) SendBytes(ctx context.Context, b []byte) error {
	return ws.sendOp(ctx, wsframe.Binary, b)
}

// SendJSON sends v encoded with encoding/json as a text message (aiohttp's
// send_json).
func (ws *WebSocket) SendJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ws.sendOp(ctx, wsframe.Text, b)
}

// Send sends a message of type WSText or WSBinary.
func (ws *WebSocket) Send(ctx context.Context, m WSMessage) error {
	if m.Type != WSText && m.Type != WSBinary {
		return errors.New("aiohttp: Send takes WSText or WSBinary, not " + m.Type.String())
	}
	return ws.sendOp(ctx, wsframe.Opcode(m.Type), m.Data)
}

// sendOp is send from any caller: directly from a task of the loop (the
// common case, which makes no closure), else through the loop.
func (ws *WebSocket) sendOp(ctx context.Context, op wsframe.Opcode, p []byte) error {
	if ws.inLoopTask(ctx) {
		return ws.send(ctx, op, p)
	}
	_, err := asyncio.SubmitWait(ctx, ws.loop, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, ws.send(ctx, op, p)
	})
	return err
}

// send sends one message as one frame once the transport's buffer has
// room and no stream is open. The frame goes to the transport whole, so
// a send cancelled while it waits has sent nothing and leaves the
// connection usable, and a send never leaves half a frame behind.
func (ws *WebSocket) send(ctx context.Context, op wsframe.Opcode, p []byte) error {
	if err := ws.awaitTurn(ctx, false); err != nil {
		return err
	}
	if d := ws.out.deflate; d != nil {
		return ws.writeCompressed(op, p, true)
	}
	return ws.writeFrame(op, true, false, p)
}

// awaitTurn waits until this end may send a data frame: not closing, the
// transport's buffer below its mark and, unless inStream says the caller
// owns it, no stream open.
func (ws *WebSocket) awaitTurn(ctx context.Context, inStream bool) error {
	for {
		if err := ws.sendErr(); err != nil {
			return err
		}
		if !ws.out.paused && (inStream || !ws.out.stream) {
			return nil
		}
		ws.out.ready.Clear()
		if err := ws.out.ready.Wait(ctx); err != nil {
			return err
		}
	}
}

// sendErr is why no data frame can be sent, or nil.
func (ws *WebSocket) sendErr() error {
	if e := ws.closed.Load(); e != nil {
		return e
	}
	if ws.closing.sent {
		return errWSClosing
	}
	return nil
}

// writeFrame writes one frame to the transport, masking it with a new key
// if this end is the client (RFC 6455 section 5.3: the key must be
// unpredictable; math/rand/v2's generator is ChaCha8, seeded from the OS).
func (ws *WebSocket) writeFrame(op wsframe.Opcode, fin, rsv1 bool, p []byte) error {
	h := wsframe.Header{Fin: fin, RSV1: rsv1, Opcode: op, Length: int64(len(p))}
	if ws.role == wsframe.Client { // this end is the client
		h.Masked = true
		k := rand.Uint32()
		h.MaskKey = [4]byte{byte(k), byte(k >> 8), byte(k >> 16), byte(k >> 24)}
	}
	bp := frameBufs.Get().(*[]byte)
	b := wsframe.AppendHeader((*bp)[:0], h)
	start := len(b)
	b = append(b, p...)
	if h.Masked {
		wsframe.Mask(h.MaskKey, 0, b[start:])
	}
	err := ws.t.Write(b)
	if cap(b) <= maxPooledFrame {
		*bp = b[:0]
		frameBufs.Put(bp)
	}
	if err != nil {
		return ws.writeFailed(err)
	}
	return nil
}

// writeFailed is what a send returns when the transport refused a write:
// it is closing, and ConnectionLost has yet to say why.
func (ws *WebSocket) writeFailed(err error) error {
	if e := ws.closed.Load(); e != nil {
		return e
	}
	return &WSCloseError{Code: wsframe.CloseAbnormal, Err: err}
}

// Writer returns a writer that sends one message of type typ (WSText or
// WSBinary) as a stream of fragments, a frame for each Write, and ends it
// on Close. Until then other sends wait (control frames, the heartbeat's
// pings among them, still go out between fragments). A Write waits like a
// send for room in the transport's buffer, with ctx; one that is cancelled
// has sent nothing, and the message can still be completed: close the
// writer in any case, or no other message can be sent.
func (ws *WebSocket) Writer(ctx context.Context, typ WSMsgType) (io.WriteCloser, error) {
	if typ != WSText && typ != WSBinary {
		return nil, errors.New("aiohttp: Writer takes WSText or WSBinary, not " + typ.String())
	}
	return wsDo(ws, ctx, func(ctx context.Context) (io.WriteCloser, error) {
		if err := ws.awaitTurn(ctx, false); err != nil {
			return nil, err
		}
		ws.out.stream = true
		return &wsStream{ws: ws, ctx: ctx, op: wsframe.Opcode(typ)}, nil
	})
}

// wsStream is the writer of one fragmented message.
type wsStream struct {
	ws      *WebSocket
	ctx     context.Context
	op      wsframe.Opcode // of the next frame: the type, then Continuation
	written bool
	closed  bool
}

// Write implements io.Writer: p goes out as one fragment.
func (s *wsStream) Write(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	_, err := wsDo(s.ws, s.ctx, func(ctx context.Context) (struct{}, error) {
		if s.closed {
			return struct{}{}, errors.New("aiohttp: write to a closed message writer")
		}
		if err := s.ws.awaitTurn(ctx, true); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.frame(p, false)
	})
	if err != nil {
		return 0, err
	}
	return len(p), nil
}

// Close implements io.Closer: it sends the final fragment and lets other
// sends go on.
func (s *wsStream) Close() error {
	_, err := wsDo(s.ws, s.ctx, func(ctx context.Context) (struct{}, error) {
		if s.closed {
			return struct{}{}, nil
		}
		s.closed = true
		ws := s.ws
		ws.out.stream = false
		ws.out.ready.Set()
		if err := ws.sendErr(); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, s.frame(nil, true)
	})
	return err
}

func (s *wsStream) frame(p []byte, fin bool) error {
	ws := s.ws
	var err error
	if ws.out.deflate != nil {
		err = ws.writeCompressedFragment(s.op, p, !s.written, fin)
	} else {
		err = ws.writeFrame(s.op, fin, false, p)
	}
	s.op, s.written = wsframe.Continuation, true
	return err
}
