package aiohttp

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsdeflate"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// fuzzWSMax is the MaxMsgSize of the fuzzed WebSockets: small, so that
// inputs reach the limit.
const fuzzWSMax = 1 << 10

// fuzzWSHandshake is a valid opening handshake.
const fuzzWSHandshake = "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"

// fuzzWSSeeds are frames for both fuzz targets' seed corpora (masked;
// FuzzWSClientConn's unmasks them, a server's frames being unmasked).
var fuzzWSSeeds = [][]byte{
	wsTestFrame(true, wsframe.Text, true, []byte("hello")),
	wsTestFrame(true, wsframe.Binary, true, []byte{0, 1, 2, 0xff}),
	append(append(wsTestFrame(false, wsframe.Text, true, []byte("frag")),
		wsTestFrame(true, wsframe.Ping, true, []byte("p"))...),
		wsTestFrame(true, wsframe.Continuation, true, []byte("ment"))...),
	wsTestFrame(true, wsframe.Ping, true, []byte("are you there")),
	wsTestFrame(true, wsframe.Close, true, wsframe.AppendClosePayload(nil, 1000, "bye")),
	wsTestFrame(true, wsframe.Text, true, []byte{0xce}),
	wsTestFrame(true, wsframe.Binary, true, make([]byte, fuzzWSMax+1)),
}

// wsTestFrame returns a whole frame, masked with a fixed key if masked.
func wsTestFrame(fin bool, op wsframe.Opcode, masked bool, p []byte) []byte {
	h := wsframe.Header{Fin: fin, Opcode: op, Length: int64(len(p)), Masked: masked, MaskKey: [4]byte{1, 2, 3, 4}}
	b := wsframe.AppendHeader(nil, h)
	start := len(b)
	b = append(b, p...)
	if masked {
		wsframe.Mask(h.MaskKey, 0, b[start:])
	}
	return b
}

// writeChopped writes in to t in pieces of chop bytes (all at once if
// chop is 0), letting the loop deliver each before the next. After 256
// pieces the rest goes at once, so that a large input takes no longer
// than a small one.
func writeChopped(ctx context.Context, t asyncio.Transport, in []byte, chop uint8) error {
	for i := 0; len(in) > 0; i++ {
		n := len(in)
		if chop > 0 && i < 256 {
			n = min(n, int(chop))
		}
		t.Write(in[:n])
		in = in[n:]
		if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
	}
	return nil
}

// checkWSFrames checks that out is a sequence of whole, valid frames that
// the end of role may parse, at most one close frame and last, with a
// valid code, and returns the data frames' payloads (unmasked, and
// inflated with dec where compressed; nil dec allows no compression).
func checkWSFrames(t *testing.T, out []byte, role wsframe.Role, dec *wsdeflate.Decompressor) [][]byte {
	t.Helper()
	var data [][]byte
	closed := false
	for len(out) > 0 {
		h, n, err := wsframe.ParseHeader(out, wsframe.Limits{AllowRSV1: dec != nil}, role)
		if err != nil || int64(len(out)-n) < h.Length {
			t.Fatalf("a frame that does not parse (%v): %q", err, out)
		}
		if closed {
			t.Fatalf("a frame after the close frame: %+v", h)
		}
		p := append([]byte(nil), out[n:n+int(h.Length)]...)
		if h.Masked {
			wsframe.Mask(h.MaskKey, 0, p)
		}
		out = out[n+int(h.Length):]
		switch h.Opcode {
		case wsframe.Close:
			closed = true
			if len(p) > 0 {
				if _, _, err := wsframe.ParseClosePayload(p); err != nil {
					t.Fatalf("a close frame with %q: %v", p, err)
				}
			}
		case wsframe.Text, wsframe.Binary:
			if !h.Fin {
				t.Fatalf("a message sent in fragments: %+v", h)
			}
			if h.RSV1 {
				if p, err = dec.Decompress(nil, p, 1<<20); err != nil {
					t.Fatalf("a compressed message that does not inflate: %v", err)
				}
			}
			data = append(data, p)
		}
	}
	return data
}

// checkWSMessage checks a message a WebSocket delivered.
func checkWSMessage(t *testing.T, m WSMessage) {
	t.Helper()
	if len(m.Data) > fuzzWSMax {
		t.Errorf("a message of %d bytes, over MaxMsgSize %d", len(m.Data), fuzzWSMax)
	}
	if m.Type == WSText && !utf8.Valid(m.Data) {
		t.Errorf("a text message that is not UTF-8: %q", m.Data)
	}
	if m.Type != WSText && m.Type != WSBinary {
		t.Errorf("a message of type %v with Autoping on", m.Type)
	}
}

// FuzzWSServerConn feeds an echoing WebSocket, after a valid handshake
// (that negotiates permessage-deflate if deflate), arbitrary client bytes
// (in pieces of chop bytes), then the end of the stream, over an in-memory transport on a virtual clock: whatever comes,
// every message the handler receives is valid, the server sends valid
// frames and echoes the messages, the connection ends, and the server is
// left with no task, connection or WebSocket.
func FuzzWSServerConn(f *testing.F) {
	for _, s := range fuzzWSSeeds {
		f.Add(s, uint8(0), false)
		f.Add(s, uint8(3), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, chop uint8, deflate bool) {
		var got [][]byte
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := Upgrade(w, r, MaxMsgSize(fuzzWSMax))
			if err != nil {
				t.Errorf("Upgrade: %v", err)
				return
			}
			for m, err := range ws.Messages(r.Context()) {
				if err != nil {
					return
				}
				checkWSMessage(t, m)
				got = append(got, m.Data)
				if ws.Send(r.Context(), m) != nil {
					return
				}
			}
		})
		asynciotest.Run(t, func(ctx context.Context) error {
			ct, p, s, err := servePipe(ctx, "fuzz", h)
			if err != nil {
				return err
			}
			hs := fuzzWSHandshake
			if deflate {
				hs = strings.Replace(hs, "\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n", 1)
			}
			ct.Write([]byte(hs))
			if err := writeChopped(ctx, ct, in, chop); err != nil {
				return err
			}
			ct.WriteEOF()
			if err := asyncio.Timeout(ctx, time.Minute, p.lost.Wait); err != nil {
				t.Fatalf("the connection did not end: %v; sent %q", err, p.got.Bytes())
			}
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			if s.tasks != 0 || len(s.conns) != 0 || len(s.websockets) != 0 {
				t.Fatalf("%d tasks, %d connections and %d WebSockets left", s.tasks, len(s.conns), len(s.websockets))
			}
			out := p.got.Bytes()
			head, frames, ok := bytes.Cut(out, []byte("\r\n\r\n"))
			if !ok || !bytes.HasPrefix(head, []byte("HTTP/1.1 101 ")) {
				t.Fatalf("the server sent %q, want a 101 response", out)
			}
			var dec *wsdeflate.Decompressor
			if deflate {
				resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(out)), nil)
				if err != nil {
					t.Fatalf("the 101 response: %v", err)
				}
				p, ok, err := wsdeflate.ParseResponse(resp.Header.Values("Sec-WebSocket-Extensions"), wsdeflate.Config{})
				if !ok || err != nil {
					t.Fatalf("permessage-deflate not accepted: %q, %v", resp.Header.Values("Sec-WebSocket-Extensions"), err)
				}
				dec = wsdeflate.NewDecompressor(p, false)
				defer dec.Close()
			}
			echoed := checkWSFrames(t, frames, wsframe.Client, dec)
			if len(echoed) > len(got) {
				t.Fatalf("%d messages echoed, %d received", len(echoed), len(got))
			}
			for i := range echoed {
				if !bytes.Equal(echoed[i], got[i]) {
					t.Fatalf("echo %d is %q, the message was %q", i, echoed[i], got[i])
				}
			}
			return nil
		})
	})
}

// FuzzWSClientConn feeds a client's WebSocket (with permessage-deflate
// if deflate) arbitrary server bytes (in pieces of chop bytes), then the
// end of the stream: every message it
// delivers is valid, what it sends is valid masked frames, and the
// connection ends.
func FuzzWSClientConn(f *testing.F) {
	for _, s := range fuzzWSSeeds {
		// A server's frames are unmasked: clear the mask bit, and
		// unmask the payload, of the seeds' frames.
		var un []byte
		for rest := s; len(rest) > 0; {
			h, n, _ := wsframe.ParseHeader(rest, wsframe.Limits{}, wsframe.Server)
			p := append([]byte(nil), rest[n:n+int(h.Length)]...)
			wsframe.Mask(h.MaskKey, 0, p)
			un = append(un, wsTestFrame(h.Fin, h.Opcode, false, p)...)
			rest = rest[n+int(h.Length):]
		}
		f.Add(un, uint8(0), false)
		f.Add(un, uint8(3), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, chop uint8, deflate bool) {
		asynciotest.Run(t, func(ctx context.Context) error {
			cfg := newWSConfig([]WSOption{MaxMsgSize(fuzzWSMax)})
			ws := newWebSocket(asyncio.RunningLoop(ctx), nil, cfg, wsframe.Client)
			if deflate {
				ws.setDeflate(wsdeflate.Params{})
			}
			p := &peer{made: asyncio.NewEvent(), lost: asyncio.NewEvent()}
			st, ct, err := simnet.Pipe(ctx, p, ws)
			if err != nil {
				return err
			}
			ws.t = ct
			if err := p.made.Wait(ctx); err != nil {
				return err
			}
			received := asyncio.NewEvent()
			asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				defer received.Set()
				for m, err := range ws.Messages(ctx) {
					if err != nil {
						return struct{}{}, nil
					}
					checkWSMessage(t, m)
				}
				return struct{}{}, nil
			})
			if err := writeChopped(ctx, st, in, chop); err != nil {
				return err
			}
			st.WriteEOF()
			if err := asyncio.Timeout(ctx, time.Minute, ws.closing.ended.Wait); err != nil {
				t.Fatalf("the connection did not end: %v", err)
			}
			if err := received.Wait(ctx); err != nil {
				return err
			}
			if ws.Err() == nil {
				t.Fatal("the connection ended with no error recorded")
			}
			if err := asyncio.Timeout(ctx, time.Minute, p.lost.Wait); err != nil {
				t.Fatalf("the server's end did not see the connection end: %v", err)
			}
			checkWSFrames(t, p.got.Bytes(), wsframe.Server, nil)
			return nil
		})
	})
}
