package aiohttp

import (
	"context"
	"errors"

	"github.com/asyncio-go/asyncio"
)

// errWSHandled is what Receive returns once OnMessage took the messages.
var errWSHandled = errors.New("aiohttp: the WebSocket's messages go to its OnMessage function")

// wsHandler runs the function given to OnMessage.
type wsHandler struct {
	fn      func(ctx context.Context, m WSMessage, err error)
	ctx     context.Context // a ctx of the loop, to start tasks from
	running bool            // a task is taking messages
	ended   bool            // fn was told of the end
	name    string
}

// OnMessage makes fn take the messages received from now on, instead of
// Receive: a task calls fn for each message, in order, while messages
// wait, and ends when none is left. Once the connection has ended and its
// messages are taken, fn is called one last time with the *WSCloseError
// (and an empty message), and not again.
//
// It is the WebSocket counterpart of a request's task: a connection that
// is idle has no task, and so no stack, where a task looping on Receive
// keeps one per connection. A server with many mostly idle WebSockets (a
// ticker, notifications) handles them so. fn runs with the task's ctx and
// may await, send and close; the next message waits until it returns.
func (ws *WebSocket) OnMessage(fn func(ctx context.Context, m WSMessage, err error)) {
	ws.loop.CallSoonThreadsafe(func() {
		name := "websocket"
		if ra := ws.t.RemoteAddr(); ra != nil {
			name += " " + ra.String()
		}
		ws.handler = &wsHandler{fn: fn, ctx: ws.ctx, name: name}
		ws.wakeHandler()
	})
}

// wakeHandler starts the handler's task if there is work for it and it is
// not running.
func (ws *WebSocket) wakeHandler() {
	h := ws.handler
	if h == nil || h.running || h.ended {
		return
	}
	if ws.in.head == len(ws.in.inbox) && ws.closed.Load() == nil {
		return
	}
	h.running = true
	asyncio.Spawn(h.ctx, ws.runHandler, asyncio.Name(h.name))
}

// runHandler is the body of the handler's task.
func (ws *WebSocket) runHandler(ctx context.Context) (struct{}, error) {
	h := ws.handler
	for {
		if m, ok := ws.pop(); ok {
			h.fn(ctx, m, nil)
			continue
		}
		if e := ws.closed.Load(); e != nil && !h.ended {
			h.ended = true
			h.fn(ctx, WSMessage{}, e)
		}
		h.running = false
		return struct{}{}, nil
	}
}
