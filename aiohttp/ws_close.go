package aiohttp

import (
	"context"
	"errors"
	"unicode/utf8"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsClosing is the state of the closing handshake (RFC 6455 section 7).
type wsClosing struct {
	sent  bool // this end's close frame is written
	got   bool // the peer's close frame arrived
	done  bool // the transport is gone (ConnectionLost)
	timer *asyncio.TimerHandle
	// ended is set by ConnectionLost.
	ended asyncio.Event
	// peer is the peer's close while this end's answer waits for the
	// application to receive the messages that came before it.
	peer *WSCloseError
}

// Close starts the closing handshake with code and reason (aiohttp's
// close), or joins the one under way, and waits until the connection is
// closed: the peer answered with its close frame and, on the client, the
// server closed the TCP connection. The peer has CloseTimeout to do so;
// then the connection is aborted and Close returns ErrWSCloseTimeout. If
// ctx ends first, the connection is aborted and Close returns ctx's error.
// Messages that arrive meanwhile are dropped. Closing a closed WebSocket
// returns nil.
//
// code is WSCloseNormal or another code valid on the wire (1000-1003,
// 1007-1014, 3000-4999); reason, at most 123 bytes of UTF-8.
func (ws *WebSocket) Close(ctx context.Context, code int, reason string) error {
	if !wsframe.ValidCloseCode(code) {
		return errors.New("aiohttp: invalid WebSocket close code")
	}
	if len(reason) > wsframe.MaxControlPayload-2 || !utf8.ValidString(reason) {
		return errors.New("aiohttp: WebSocket close reason not UTF-8 or over 123 bytes")
	}
	_, err := wsDo(ws, ctx, func(ctx context.Context) (struct{}, error) {
		ws.startClose(code, reason)
		if err := ws.closing.ended.Wait(ctx); err != nil {
			ws.abort()
			return struct{}{}, err
		}
		if e := ws.closed.Load(); e != nil && e.Err == ErrWSCloseTimeout {
			return struct{}{}, e.Err
		}
		return struct{}{}, nil
	})
	return err
}

// startClose sends this end's close frame, if not sent yet, and bounds the
// rest of the handshake with CloseTimeout.
func (ws *WebSocket) startClose(code int, reason string) {
	if ws.closing.peer != nil {
		ws.answerClose()
		return
	}
	if ws.closing.done || ws.closing.sent {
		return
	}
	ws.sendClose(code, reason)
	ws.out.ready.Set() // senders waiting now fail
	ws.in.ready.Set()
	if d := ws.cfg.closeTimeout; d > 0 && ws.closing.timer == nil {
		ws.closing.timer = ws.loop.CallLater(d, func() {
			ws.closing.timer = nil
			ws.end(&WSCloseError{Code: wsframe.CloseAbnormal, Err: ErrWSCloseTimeout})
			ws.abort()
		})
	}
}

// sendClose writes the close frame.
func (ws *WebSocket) sendClose(code int, reason string) {
	ws.closing.sent = true
	var b [wsframe.MaxControlPayload]byte
	_ = ws.writeFrame(wsframe.Close, true, false, wsframe.AppendClosePayload(b[:0], code, reason))
}

// peerClosed handles the peer's close frame. While messages that came
// before it wait in the inbox, the answer waits too, until Receive has
// taken them (pop) or Close is called, for at most CloseTimeout: until
// this end sends its close frame it may still send data, so that an
// application that answers each message, such as an echo, answers them
// all (Autobahn case 7.1.1: a message and a close sent back to back).
func (ws *WebSocket) peerClosed(code int, reason string) {
	ws.closing.got = true
	ws.closing.peer = &WSCloseError{Code: code, Reason: reason}
	if !ws.closing.sent && ws.in.head < len(ws.in.inbox) {
		if d := ws.cfg.closeTimeout; d > 0 {
			ws.closing.timer = ws.loop.CallLater(d, func() {
				ws.closing.timer = nil
				ws.answerClose()
			})
		}
		return
	}
	ws.answerClose()
}

// answerClose answers the peer's close with this end's, if it has not
// sent one, echoing the code (RFC 6455 section 5.5.1), and then ends the
// connection: a server closes the TCP connection at once, a client waits
// CloseTimeout for the server to (section 7.1.1).
func (ws *WebSocket) answerClose() {
	e := ws.closing.peer
	if e == nil || ws.closing.done {
		return
	}
	ws.closing.peer = nil
	if ws.closing.timer != nil {
		ws.closing.timer.Cancel()
		ws.closing.timer = nil
	}
	ws.end(e)
	if !ws.closing.sent {
		ws.sendClose(e.Code, "")
	}
	ws.in.ready.Set()
	ws.out.ready.Set()
	if ws.role == wsframe.Server {
		ws.stopTimers()
		ws.t.Close()
		return
	}
	if ws.closing.timer == nil && ws.cfg.closeTimeout > 0 {
		ws.closing.timer = ws.loop.CallLater(ws.cfg.closeTimeout, ws.abort)
	}
}

// fail fails the connection for err (RFC 6455 section 7.1.7): it sends a
// close frame with err's code, unless the connection is dead (heartbeat)
// or one was sent already, and closes the transport.
func (ws *WebSocket) fail(err error) {
	code := wsframe.CloseCode(err)
	reason := ""
	var pe *WSProtocolError
	if errors.As(err, &pe) {
		reason = pe.Reason
	}
	if err == ErrWSHeartbeat {
		code = wsframe.CloseAbnormal
	}
	ws.end(&WSCloseError{Code: code, Reason: reason, Err: err})
	if code != wsframe.CloseAbnormal && !ws.closing.sent {
		ws.sendClose(code, reason)
	}
	ws.closing.sent = true
	ws.stopTimers()
	ws.in.ready.Set()
	ws.out.ready.Set()
	if code == wsframe.CloseAbnormal {
		ws.t.Abort()
	} else {
		ws.t.Close()
	}
}

// end records why the connection ended, the first time.
func (ws *WebSocket) end(e *WSCloseError) {
	ws.closed.CompareAndSwap(nil, e)
}

// goAway starts the closing handshake with 1001, for a server shutting
// down.
func (ws *WebSocket) goAway() { ws.startClose(wsframe.CloseGoingAway, "server shutdown") }

// abort closes the transport at once.
func (ws *WebSocket) abort() {
	if !ws.closing.done {
		ws.t.Abort()
	}
}

// stopTimers cancels the closing and heartbeat timers.
func (ws *WebSocket) stopTimers() {
	if ws.closing.timer != nil {
		ws.closing.timer.Cancel()
		ws.closing.timer = nil
	}
	if ws.beat.timer != nil {
		ws.beat.timer.Cancel()
		ws.beat.timer = nil
	}
}
