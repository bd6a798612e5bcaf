package aiohttp

import (
	"context"
	"errors"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// WSMsgType is the type of a WebSocket message (aiohttp's WSMsgType).
type WSMsgType uint8

// The message types. Receive returns WSText and WSBinary messages; WSPing
// and WSPong only when Autoping(false) leaves control frames to the
// application.
// Their values are the frame opcodes of RFC 6455.
const (
	WSText   WSMsgType = 0x1
	WSBinary WSMsgType = 0x2
	WSPing   WSMsgType = 0x9
	WSPong   WSMsgType = 0xA
)

// String returns the type's name, as aiohttp spells it ("TEXT", ...).
func (t WSMsgType) String() string {
	switch t {
	case WSText:
		return "TEXT"
	case WSBinary:
		return "BINARY"
	case WSPing:
		return "PING"
	case WSPong:
		return "PONG"
	}
	return "WSMsgType(" + strconv.Itoa(int(t)) + ")"
}

// WSMessage is one message received on a WebSocket.
type WSMessage struct {
	Type WSMsgType
	// Data is the message's payload, UTF-8 for WSText. It belongs to the
	// caller.
	Data []byte
}

// Close status codes (RFC 6455 section 7.4.1) for Close and in
// WSCloseError.
const (
	WSCloseNormal          = 1000 // done
	WSCloseGoingAway       = 1001 // server shutting down, page left
	WSCloseProtocolError   = 1002 // the peer broke RFC 6455
	WSCloseUnsupportedData = 1003 // a type of message this end does not take
	WSCloseNoStatus        = 1005 // a close frame without a code; never sent
	WSCloseAbnormal        = 1006 // lost without a close frame; never sent
	WSCloseInvalidPayload  = 1007 // text that is not UTF-8, data that does not inflate
	WSClosePolicyViolation = 1008 // refused by the application's rules
	WSCloseMessageTooBig   = 1009 // a message over MaxMsgSize
	WSCloseInternalError   = 1011 // the server failed
	WSCloseTryAgainLater   = 1013 // overloaded: try again later
)

// WSCloseError is the error a WebSocket's methods return once it is
// closed, and what Err, CloseCode and CloseReason report.
//
// After a closing handshake, Code and Reason are those of the peer's close
// frame (WSCloseNoStatus if it had no code) and Err is nil. When this end
// failed the connection, Code is the code it sent and Err says why: a
// *WSProtocolError for a peer that broke RFC 6455, ErrWSMessageTooBig,
// ErrWSHeartbeat, or the transport's error. A connection lost without any
// close frame has Code WSCloseAbnormal.
type WSCloseError struct {
	Code   int
	Reason string
	Err    error
}

// Error implements error.
func (e *WSCloseError) Error() string {
	s := "aiohttp: websocket closed with " + strconv.Itoa(e.Code)
	if e.Reason != "" {
		s += " " + strconv.Quote(e.Reason)
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns Err.
func (e *WSCloseError) Unwrap() error { return e.Err }

// WSProtocolError is a violation of RFC 6455 by the peer, with the close
// code this end answered it with.
type WSProtocolError = wsframe.ProtocolError

// Errors in a WSCloseError's Err.
var (
	// ErrWSMessageTooBig: a message was longer than MaxMsgSize, counted
	// after decompression.
	ErrWSMessageTooBig = &WSProtocolError{Code: wsframe.CloseMessageTooBig, Reason: "message too big"}
	// ErrWSHeartbeat: no frame came back within half the heartbeat
	// interval of a ping (aiohttp's ServerTimeoutError).
	ErrWSHeartbeat = errors.New("aiohttp: websocket heartbeat: no pong")
	// ErrWSCloseTimeout: the peer did not complete the closing handshake
	// within CloseTimeout; the connection was aborted.
	ErrWSCloseTimeout = errors.New("aiohttp: websocket closing handshake timed out")
)

// errWSClosing is what a send gets after Close began: no data frame may
// follow a close frame.
var errWSClosing = errors.New("aiohttp: websocket is closing")

// WebSocket is one WebSocket connection, from Upgrade or Session.WSConnect
// (aiohttp's WebSocketResponse and ClientWebSocketResponse). It runs on
// its loop as the protocol of the connection's transport: frames are read,
// checked and assembled into messages, pings answered and the heartbeat
// kept, as they arrive, whether or not a task is receiving.
//
// Its methods take the ctx of the calling task, which they suspend; called
// from a goroutine that is not one of the loop's tasks, they run on the
// loop and block (a task of the loop must pass its own ctx, or it would
// block the loop). Any number of tasks may send at once: each message goes
// out whole, in the order the sends reach the loop. One task at a time
// should receive.
type WebSocket struct {
	loop *asyncio.Loop
	t    asyncio.Transport
	cfg  *wsConfig
	role wsframe.Role // whose frames this end parses
	srv  *Server      // on a server's connection, which tracks it

	protocol   string // the negotiated subprotocol
	extensions string // the negotiated Sec-WebSocket-Extensions

	in      wsReader
	out     wsWriter
	closing wsClosing
	beat    wsHeartbeat
	handler *wsHandler // set by OnMessage
	// ctx is a ctx of the loop's, from which OnMessage starts tasks.
	ctx context.Context

	// closed is set once, with the connection's end; read from any
	// goroutine by CloseCode, CloseReason and Err.
	closed atomic.Pointer[WSCloseError]
}

// Protocol returns the subprotocol the two ends agreed on (the
// Sec-WebSocket-Protocol of the handshake's response), or "".
func (ws *WebSocket) Protocol() string { return ws.protocol }

// Extensions returns the negotiated Sec-WebSocket-Extensions, such as
// "permessage-deflate; server_no_context_takeover", or "".
func (ws *WebSocket) Extensions() string { return ws.extensions }

// LocalAddr returns the connection's local address, or nil.
func (ws *WebSocket) LocalAddr() net.Addr { return ws.t.LocalAddr() }

// RemoteAddr returns the peer's address, or nil.
func (ws *WebSocket) RemoteAddr() net.Addr { return ws.t.RemoteAddr() }

// CloseCode returns the close code once the connection is closed (see
// WSCloseError), and 0 before.
func (ws *WebSocket) CloseCode() int {
	if e := ws.closed.Load(); e != nil {
		return e.Code
	}
	return 0
}

// CloseReason returns the close reason once the connection is closed, and
// "" before.
func (ws *WebSocket) CloseReason() string {
	if e := ws.closed.Load(); e != nil {
		return e.Reason
	}
	return ""
}

// Err returns the *WSCloseError that ended the connection, or nil while it
// is open. It is safe from any goroutine.
func (ws *WebSocket) Err() error {
	if e := ws.closed.Load(); e != nil {
		return e
	}
	return nil
}

// wsDo runs fn on the WebSocket's loop: in the calling task if ctx is a
// task of that loop, else as a task the caller waits for.
func wsDo[T any](ws *WebSocket, ctx context.Context, fn func(ctx context.Context) (T, error)) (T, error) {
	if ws.inLoopTask(ctx) {
		return fn(ctx)
	}
	return asyncio.SubmitWait(ctx, ws.loop, fn)
}

// inLoopTask reports whether ctx is the running task's, on ws's loop.
func (ws *WebSocket) inLoopTask(ctx context.Context) bool {
	return asyncio.InTask(ctx) && asyncio.RunningLoop(ctx) == ws.loop
}

// now is the loop's time.
func (ws *WebSocket) now() time.Duration { return ws.loop.Time() }
