package aiohttp

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// A server sending 1 MiB messages in a loop to a client that never reads
// holds, in its transport's buffer, at most the high-water mark plus one
// message: each send waits for room. Once the client goes, the send
// waiting fails and nothing of the connection is left.
func TestWSStalledReaderBuffer(t *testing.T) {
	const msgSize = 1 << 20
	const frameHeader = 10 // of a frame of 1 MiB from the server
	const simnetWindow = 256 << 10
	asynciotest.Run(t, func(ctx context.Context) error {
		var ws *WebSocket
		var sent, maxBuffered int
		var sendErr error
		done := asyncio.NewEvent()
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer done.Set()
			var err error
			if ws, err = Upgrade(w, r); err != nil {
				t.Errorf("Upgrade: %v", err)
				return
			}
			msg := make([]byte, msgSize)
			for sent < 64 {
				if sendErr = ws.SendBytes(r.Context(), msg); sendErr != nil {
					return
				}
				sent++
				maxBuffered = max(maxBuffered, ws.t.WriteBufferSize())
			}
		})
		ct, _, s, err := servePipe(ctx, "stalled", h)
		if err != nil {
			return err
		}
		ct.PauseReading() // for good: the client reads nothing
		ct.Write([]byte(fuzzWSHandshake))
		// Sleep until the loop is idle (the virtual clock jumps only
		// then): the handler's send waits, and no byte moves.
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		if ws == nil {
			t.Fatal("the handler did not upgrade")
		}
		high, _ := ws.t.WriteBufferLimits()
		t.Logf("with the client stalled: %d sends of 1 MiB completed; the transport's buffer held at most %d KiB (high-water mark %d KiB)",
			sent, maxBuffered>>10, high>>10)
		if sent < 1 || sent*msgSize > simnetWindow+high+msgSize {
			t.Errorf("%d sends completed; the window, the high-water mark and one message hold %d KiB", sent, (simnetWindow+high+msgSize)>>10)
		}
		if maxBuffered > high+msgSize+frameHeader {
			t.Errorf("the transport's buffer held %d bytes, over the high-water mark %d plus one message", maxBuffered, high)
		}
		n := sent
		ct.Abort()
		if err := done.Wait(ctx); err != nil {
			return err
		}
		var ce *WSCloseError
		if ce, _ = sendErr.(*WSCloseError); ce == nil || ce.Code != WSCloseAbnormal {
			t.Errorf("the send waiting when the client went returned %v, want a WSCloseError with 1006", sendErr)
		}
		if sent != n {
			t.Errorf("%d more sends completed after the client went", sent-n)
		}
		if err := checkServerEmpty(ctx, t, s); err != nil {
			return err
		}
		return nil
	})
}

// A frame header announcing a message of 1 MiB, followed by a few bytes
// and then nothing, does not make the server allocate the megabyte: a
// thousand such peers would cost it a gigabyte for a few kilobytes sent.
func TestWSAnnouncedLengthNotAllocated(t *testing.T) {
	const announced = 1 << 20
	asynciotest.Run(t, func(ctx context.Context) error {
		var ws *WebSocket
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var err error
			if ws, err = Upgrade(w, r); err != nil {
				t.Errorf("Upgrade: %v", err)
			}
		})
		ct, p, s, err := servePipe(ctx, "announced", h)
		if err != nil {
			return err
		}
		frame := wsTestFrame(true, wsframe.Binary, true, make([]byte, announced))
		ct.Write([]byte(fuzzWSHandshake))
		// The header (an 8-byte length, the mask) and 10 bytes, then
		// nothing until the loop is idle.
		ct.Write(frame[:14+10])
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		if ws == nil {
			t.Fatal("the handler did not upgrade")
		}
		if c := cap(ws.in.msg); c > wsInboxBytes {
			t.Errorf("a header announcing %d bytes, and 10 bytes, made the WebSocket allocate %d bytes for the message", announced, c)
		}
		ct.Abort()
		if err := p.lost.Wait(ctx); err != nil {
			return err
		}
		if err := checkServerEmpty(ctx, t, s); err != nil {
			return err
		}
		return nil
	})
}

// A WebSocket whose peer does not answer its close frame sends nothing
// after it, heartbeat or not (RFC 6455 section 5.5.1), and gives up after
// CloseTimeout.
func TestWSNothingAfterCloseFrame(t *testing.T) {
	const beat, closeTimeout = time.Second, 10 * time.Second
	asynciotest.Run(t, func(ctx context.Context) error {
		var closeErr error
		var closedAt time.Duration
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := Upgrade(w, r, Heartbeat(beat), CloseTimeout(closeTimeout))
			if err != nil {
				t.Errorf("Upgrade: %v", err)
				return
			}
			closeErr = ws.Close(r.Context(), WSCloseNormal, "")
			closedAt = ws.now()
		})
		ct, p, s, err := servePipe(ctx, "close", h)
		if err != nil {
			return err
		}
		start := asyncio.RunningLoop(ctx).Time()
		ct.Write([]byte(fuzzWSHandshake)) // and then nothing: the close is not answered
		if err := p.lost.Wait(ctx); err != nil {
			return err
		}
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		_, frames, _ := bytes.Cut(p.got.Bytes(), []byte("\r\n\r\n"))
		checkWSFrames(t, frames, wsframe.Client, nil) // fails on a frame after the close frame
		if closeErr != ErrWSCloseTimeout {
			t.Errorf("Close returned %v, want ErrWSCloseTimeout", closeErr)
		}
		if d := closedAt - start; d < closeTimeout {
			t.Errorf("Close gave up after %v, before CloseTimeout (%v)", d, closeTimeout)
		}
		if s.tasks != 0 || len(s.conns) != 0 || len(s.websockets) != 0 {
			t.Errorf("%d tasks, %d connections and %d WebSockets left", s.tasks, len(s.conns), len(s.websockets))
		}
		return nil
	})
}

// A client that sends pings without reading the pongs does not make the
// server buffer pongs without bound: while its transport's buffer is over
// the high-water mark, only the latest ping is answered, once there is
// room (RFC 6455 section 5.5.3 allows it).
func TestWSPingFloodNotReading(t *testing.T) {
	const pings = 50000 // 6.5 MiB of pongs of 125 bytes, were they all buffered
	asynciotest.Run(t, func(ctx context.Context) error {
		var ws *WebSocket
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			var err error
			if ws, err = Upgrade(w, r); err != nil {
				t.Errorf("Upgrade: %v", err)
			}
		})
		ct, p, s, err := servePipe(ctx, "pings", h)
		if err != nil {
			return err
		}
		ct.PauseReading() // for good: the client reads nothing
		ct.Write([]byte(fuzzWSHandshake))
		ping := wsTestFrame(true, wsframe.Ping, true, bytes.Repeat([]byte("p"), wsframe.MaxControlPayload))
		maxBuffered := 0
		for i := range pings / 100 {
			ct.Write(bytes.Repeat(ping, 100))
			// Until the loop is idle: the server has read them.
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			if i == 0 && ws == nil {
				t.Fatal("the handler did not upgrade")
			}
			maxBuffered = max(maxBuffered, ws.t.WriteBufferSize())
		}
		high, _ := ws.t.WriteBufferLimits()
		t.Logf("%d pings of 125 bytes from a client that reads nothing: the server's transport buffered at most %d KiB (high-water mark %d KiB)",
			pings, maxBuffered>>10, high>>10)
		if maxBuffered > high+16<<10 {
			t.Errorf("the server's transport buffered %d KiB of pongs", maxBuffered>>10)
		}
		// Once the client reads, the latest ping is answered.
		ct.Write(wsTestFrame(true, wsframe.Ping, true, []byte("last")))
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		ct.ResumeReading()
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
		_, frames, _ := bytes.Cut(p.got.Bytes(), []byte("\r\n\r\n"))
		var last []byte
		for len(frames) > 0 {
			h, n, err := wsframe.ParseHeader(frames, wsframe.Limits{}, wsframe.Client)
			if err != nil || h.Opcode != wsframe.Pong || int64(len(frames)-n) < h.Length {
				t.Fatalf("the server sent %+v (%v), want pongs", h, err)
			}
			last = frames[n : n+int(h.Length)]
			frames = frames[n+int(h.Length):]
		}
		if string(last) != "last" {
			t.Errorf("the last pong has %q, want the latest ping's %q", last, "last")
		}
		ct.Abort()
		if err := p.lost.Wait(ctx); err != nil {
			return err
		}
		if err := checkServerEmpty(ctx, t, s); err != nil {
			return err
		}
		return nil
	})
}

// checkServerEmpty lets the server finish its callbacks and tasks, then
// checks that it has no task, connection or WebSocket left.
func checkServerEmpty(ctx context.Context, t *testing.T, s *Server) error {
	t.Helper()
	if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
		return err
	}
	if s.tasks != 0 || len(s.conns) != 0 || len(s.websockets) != 0 {
		t.Errorf("%d tasks, %d connections and %d WebSockets left", s.tasks, len(s.conns), len(s.websockets))
	}
	return nil
}
