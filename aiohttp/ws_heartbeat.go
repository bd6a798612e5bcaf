package aiohttp

import (
	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsHeartbeat is the liveness state of a WebSocket: the heartbeat's timer
// and the pings waiting for their pong.
type wsHeartbeat struct {
	timer  *asyncio.TimerHandle
	onBeat func()
	heard  bool // a frame arrived since the timer was set
	pinged bool // the heartbeat's ping is out
	pings  []*wsPing
}

// startHeartbeat arms the heartbeat. One timer per connection does the
// work: it fires every interval and finds out then whether anything was
// heard, so that receiving a frame costs a flag, not a timer.
func (ws *WebSocket) startHeartbeat() {
	if ws.cfg.heartbeat <= 0 {
		return
	}
	ws.beat.onBeat = ws.heartbeat
	ws.beat.timer = ws.loop.CallLater(ws.cfg.heartbeat, ws.beat.onBeat)
}

// heartbeat runs when the timer fires: quiet for an interval, the peer is
// pinged; still quiet half an interval later, it is gone.
func (ws *WebSocket) heartbeat() {
	b := &ws.beat
	b.timer = nil
	// Once this end's close frame is out, no ping may follow it (RFC
	// 6455 section 5.5.1), and CloseTimeout bounds the wait instead.
	if ws.closing.done || ws.closing.got || ws.closing.sent {
		return
	}
	switch {
	case b.heard:
		b.heard, b.pinged = false, false
		b.timer = ws.loop.CallLater(ws.cfg.heartbeat, b.onBeat)
	case !b.pinged:
		b.pinged = true
		_ = ws.writeFrame(wsframe.Ping, true, false, nil)
		b.timer = ws.loop.CallLater(ws.cfg.heartbeat/2, b.onBeat)
	default:
		ws.fail(ErrWSHeartbeat)
	}
}

// pongReceived resolves the ping p answers and those sent before it.
func (ws *WebSocket) pongReceived(p []byte) {
	pings := ws.beat.pings
	for i, pg := range pings {
		if pg.data != string(p) {
			continue
		}
		for _, done := range pings[:i+1] {
			done.done.Set()
		}
		clear(pings[:i+1])
		ws.beat.pings = pings[i+1:]
		if len(ws.beat.pings) == 0 {
			ws.beat.pings = nil
		}
		return
	}
}

// failPings ends the pings still waiting, the connection being gone.
func (ws *WebSocket) failPings() {
	for _, p := range ws.beat.pings {
		p.err = ws.Err()
		p.done.Set()
	}
	ws.beat.pings = nil
}
