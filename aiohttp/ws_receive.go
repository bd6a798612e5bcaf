package aiohttp

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// Receive returns the next message (aiohttp's receive): WSText or
// WSBinary, or with Autoping(false) also WSPing and WSPong. Once the
// connection is closed, and the messages that arrived before are taken,
// it returns a *WSCloseError. With ReceiveTimeout, a Receive that waits
// longer returns a *TimeoutError of kind "receive_timeout".
//
// Frames are read and messages assembled on the loop whether or not a task
// receives, so a Receive that is cancelled or times out loses nothing:
// the connection stays usable and the next Receive gets the next message.
func (ws *WebSocket) Receive(ctx context.Context) (WSMessage, error) {
	if ws.inLoopTask(ctx) {
		return ws.receive(ctx)
	}
	return asyncio.SubmitWait(ctx, ws.loop, ws.receive)
}

func (ws *WebSocket) receive(ctx context.Context) (WSMessage, error) {
	deadline := noDeadline
	if d := ws.cfg.receiveTimeout; d > 0 {
		deadline = ws.now() + d
	}
	for {
		if ws.handler != nil {
			return WSMessage{}, errWSHandled
		}
		if m, ok := ws.pop(); ok {
			return m, nil
		}
		if e := ws.closed.Load(); e != nil {
			return WSMessage{}, e
		}
		if ws.closing.sent {
			// This end is closing: nothing more will be delivered.
			if err := waitUntil(ctx, deadline, "receive_timeout", ws.closing.ended.Wait); err != nil {
				return WSMessage{}, err
			}
			continue
		}
		ws.in.ready.Clear()
		if err := waitUntil(ctx, deadline, "receive_timeout", ws.in.ready.Wait); err != nil {
			return WSMessage{}, err
		}
	}
}

// ReceiveText returns the next message, which must be text (aiohttp's
// receive_str).
func (ws *WebSocket) ReceiveText(ctx context.Context) (string, error) {
	m, err := ws.receiveType(ctx, WSText)
	return string(m.Data), err
}

// ReceiveBytes returns the next message, which must be binary (aiohttp's
// receive_bytes).
func (ws *WebSocket) ReceiveBytes(ctx context.Context) ([]byte, error) {
	m, err := ws.receiveType(ctx, WSBinary)
	return m.Data, err
}

// ReceiveJSON decodes the next message, which must be text, into v with
// encoding/json (aiohttp's receive_json).
func (ws *WebSocket) ReceiveJSON(ctx context.Context, v any) error {
	m, err := ws.receiveType(ctx, WSText)
	if err != nil {
		return err
	}
	return json.Unmarshal(m.Data, v)
}

// WSTypeError is what ReceiveText, ReceiveBytes and ReceiveJSON return for
// a message of another type than they take. The message is consumed; it is
// in Message.
type WSTypeError struct {
	Want    WSMsgType
	Message WSMessage
}

// Error implements error.
func (e *WSTypeError) Error() string {
	return fmt.Sprintf("aiohttp: received a %s WebSocket message, want %s", e.Message.Type, e.Want)
}

func (ws *WebSocket) receiveType(ctx context.Context, want WSMsgType) (WSMessage, error) {
	m, err := ws.Receive(ctx)
	if err != nil {
		return m, err
	}
	if m.Type != want {
		return WSMessage{}, &WSTypeError{Want: want, Message: m}
	}
	return m, nil
}

// Messages returns an iterator over the messages received (aiohttp's
// async for msg in ws). It ends after a normal close (codes 1000, 1001 and
// 1005, the peer's or this end's); any other end of the connection, or
// ctx's, is yielded once as an error with an empty message, and ends it.
func (ws *WebSocket) Messages(ctx context.Context) iter.Seq2[WSMessage, error] {
	return func(yield func(WSMessage, error) bool) {
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				if ce, ok := err.(*WSCloseError); ok && ce.Err == nil {
					switch ce.Code {
					case WSCloseNormal, WSCloseGoingAway, WSCloseNoStatus:
						return
					}
				}
				yield(WSMessage{}, err)
				return
			}
			if !yield(m, nil) {
				return
			}
		}
	}
}

// Ping sends a ping with data (at most 125 bytes) and waits for its pong
// (aiohttp's ping, with websockets' awaited pong): a pong answers the ping
// with the same data and every ping sent before it.
func (ws *WebSocket) Ping(ctx context.Context, data []byte) error {
	if len(data) > 125 {
		return fmt.Errorf("aiohttp: WebSocket ping data of %d bytes, over 125", len(data))
	}
	_, err := wsDo(ws, ctx, func(ctx context.Context) (struct{}, error) {
		if err := ws.sendErr(); err != nil {
			return struct{}{}, err
		}
		p := &wsPing{data: string(data)}
		ws.beat.pings = append(ws.beat.pings, p)
		if err := ws.writeFrame(wsframe.Ping, true, false, data); err != nil {
			return struct{}{}, err
		}
		if err := p.done.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, p.err
	})
	return err
}

// Pong sends a pong with data (at most 125 bytes), to answer a ping when
// Autoping(false) leaves that to the application, or unsolicited, as a
// one-way heartbeat.
func (ws *WebSocket) Pong(ctx context.Context, data []byte) error {
	if len(data) > 125 {
		return fmt.Errorf("aiohttp: WebSocket pong data of %d bytes, over 125", len(data))
	}
	_, err := wsDo(ws, ctx, func(ctx context.Context) (struct{}, error) {
		if err := ws.sendErr(); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, ws.writeFrame(wsframe.Pong, true, false, data)
	})
	return err
}

// wsPing is a ping waiting for its pong.
type wsPing struct {
	data string
	done asyncio.Event
	err  error
}
