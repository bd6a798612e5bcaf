package aiohttp

import (
	"context"
	"errors"
	"iter"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// SlowPolicy says what Broadcast does with a WebSocket that cannot take a
// message now: its peer reads slower than messages come, and its
// transport's buffer is over its mark (WriteBufferLimit), or it is in the
// middle of a message sent with Writer.
type SlowPolicy uint8

const (
	// DropSlow skips the message for a slow WebSocket: a live ticker's
	// client misses ticks it would get late anyway.
	DropSlow SlowPolicy = iota
	// CloseSlow closes a slow WebSocket with 1013 (try again later): a
	// chat's client must not miss messages, and reconnects.
	CloseSlow
)

// Broadcast sends m (WSText or WSBinary) to every WebSocket of sockets
// without waiting for any: the one frame is written to each transport
// that has room, and a slow WebSocket is dealt with by slow instead of
// stalling the others, which a loop of sends would do (FastAPI's
// broadcast of the manual). Closed or closing WebSockets are skipped. It
// returns how many WebSockets the message went to.
//
// The frame is built once for all server-side WebSockets without
// compression; the others get theirs. A WebSocket of another loop than
// ctx's (one of Workers) gets it through a callback on its loop, and is
// counted as sent. Broadcast is called from a task.
func Broadcast(ctx context.Context, sockets iter.Seq[*WebSocket], m WSMessage, slow SlowPolicy) (int, error) {
	if m.Type != WSText && m.Type != WSBinary {
		return 0, errors.New("aiohttp: Broadcast takes WSText or WSBinary, not " + m.Type.String())
	}
	if !asyncio.InTask(ctx) {
		return 0, errNoTask("Broadcast")
	}
	l := asyncio.RunningLoop(ctx)
	op := wsframe.Opcode(m.Type)
	var shared []byte // the plain server frame, made on first use
	sent := 0
	for ws := range sockets {
		if ws.loop != l {
			data := m.Data
			ws.loop.CallSoonThreadsafe(func() { ws.offer(op, data, nil, slow) })
			sent++
			continue
		}
		if ws.role == wsframe.Server && ws.out.deflate == nil && shared == nil {
			shared = wsframe.AppendHeader(nil, wsframe.Header{Fin: true, Opcode: op, Length: int64(len(m.Data))})
			shared = append(shared, m.Data...)
		}
		if ws.offer(op, m.Data, shared, slow) {
			sent++
		}
	}
	return sent, nil
}

// offer sends one message if the WebSocket can take it now, applying slow
// if not. frame, if not nil, is the message's frame ready to write.
func (ws *WebSocket) offer(op wsframe.Opcode, p, frame []byte, slow SlowPolicy) bool {
	if ws.sendErr() != nil {
		return false
	}
	if ws.out.paused || ws.out.stream {
		if slow == CloseSlow {
			ws.startClose(WSCloseTryAgainLater, "too slow")
		}
		return false
	}
	var err error
	switch {
	case frame != nil && ws.role == wsframe.Server && ws.out.deflate == nil:
		if err = ws.t.Write(frame); err != nil {
			err = ws.writeFailed(err)
		}
	case ws.out.deflate != nil:
		err = ws.writeCompressed(op, p, true)
	default:
		err = ws.writeFrame(op, true, false, p)
	}
	return err == nil
}
