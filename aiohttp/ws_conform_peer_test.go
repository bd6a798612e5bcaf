package aiohttp_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// The conformance tests (ws_conform_*_test.go) replay the cases of the
// Autobahn|Testsuite against both ends of aiohttp's WebSockets: the server
// (Upgrade with the echo handler wsEcho) under a scripted raw client that
// masks its frames, and the client (Session.WSConnect with an echo loop)
// under a scripted raw server that does not. A case is a table row: what
// the scripted peer sends, step by step, the frames it expects back after
// each step, and how the connection must end. Each row's name starts with
// its Autobahn case number; each file's comment lists the cases of its
// section and what is left out.
//
// Covered: sections 1 (framing), 2 (pings and pongs), 3 (reserved bits),
// 4 (reserved opcodes), 5 (fragmentation), 6 (UTF-8), 7 (closing), 9
// (limits, up to 4 MiB), 10.1.1 (a message in many fragments) and 12-13
// (permessage-deflate, with fewer messages per case). Not covered:
// 9.1.5-9.2.6 (8 and 16 MiB messages, over the default MaxMsgSize).
//
// The tables are stricter than Autobahn, which accepts a close frame
// without a code wherever it expects one with, and a TCP drop where it
// does not require a clean close: they want the exact code this end sends.
// Where Autobahn grades an outcome NON-STRICT or INFORMATIONAL, the row
// allows it too and says so in its note. Where Autobahn waits a second to
// see that nothing happens, the scripts instead send a ping and wait for
// its pong, which proves the endpoint read everything before it and did
// not fail. Reads have a generous deadline that only bounds a broken case.

// wsFrame is a frame a scripted peer sends or expects.
type wsFrame struct {
	b0   byte // the first header byte: FIN, RSV1-3 and the opcode
	data []byte
	// opt marks an expected frame the endpoint may leave out, an outcome
	// Autobahn grades NON-STRICT (see the case's note).
	opt bool
}

const wsFin = 0x80

// msg is a final frame of type op.
func msg(op wsframe.Opcode, data string) wsFrame {
	return wsFrame{b0: wsFin | byte(op), data: []byte(data)}
}

// frag is a frame of type op that is not final.
func frag(op wsframe.Opcode, data string) wsFrame {
	return wsFrame{b0: byte(op), data: []byte(data)}
}

// wsText, wsBin, wsPing and wsPong are final frames of their type.
func wsText(s string) wsFrame { return msg(wsframe.Text, s) }
func wsBin(s string) wsFrame  { return msg(wsframe.Binary, s) }
func wsPing(s string) wsFrame { return msg(wsframe.Ping, s) }
func wsPong(s string) wsFrame { return msg(wsframe.Pong, s) }

// wsCloseF is a close frame with code and reason. The code is written as
// given, even one that may not be sent (wsframe.AppendClosePayload would
// leave out 1005).
func wsCloseF(code int, reason string) wsFrame {
	return msg(wsframe.Close, string(binary.BigEndian.AppendUint16(nil, uint16(code)))+reason)
}

// maybe marks f as an expected frame that may be missing.
func maybe(f wsFrame) wsFrame { f.opt = true; return f }

// rsv sets the reserved bits of f to bits, 1 to 7, which Autobahn's
// cases call RSV=bits: RSV1 is its highest bit, RSV3 its lowest.
func rsv(bits byte, f wsFrame) wsFrame { f.b0 |= bits << 4; return f }

func (f wsFrame) String() string {
	d := f.data
	if len(d) > 16 {
		return fmt.Sprintf("{%#02x %d bytes %x...}", f.b0, len(d), d[:16])
	}
	return fmt.Sprintf("{%#02x %q}", f.b0, d)
}

// wsStep is one step of a case's script.
type wsStep struct {
	send []wsFrame
	// chop writes the bytes of send in writes of chop bytes (Autobahn's
	// chopped delivery); 0 writes them at once.
	chop int
	// to > 0 sends only bytes [from:to) of the payload of send's one
	// frame, the header with the piece from 0, so that consecutive steps
	// can cut a frame anywhere.
	from, to int
	// expect is what the endpoint sends back before the next step.
	expect []wsFrame
}

// wsNoCode stands for a close frame without a payload in wsCase.close.
const wsNoCode = wsframe.CloseNoStatus

// wsCase is one Autobahn case.
type wsCase struct {
	name  string
	steps []wsStep
	// close lists the codes the endpoint's close frame may carry (wsNoCode
	// for none), after which the TCP connection must close: the server
	// closes it, a client once the scripted server has shut its side
	// down. nil: the case ends cleanly, the scripted peer closing with
	// 1000, which must come back.
	close []int
	// note says which outcome Autobahn would grade NON-STRICT or
	// INFORMATIONAL and this table allows.
	note string
	// ext is the permessage-deflate negotiation of the handshake; none
	// when zero.
	ext wsNegotiation
	// play, if set, runs before the steps: an exchange that a table of
	// fixed frames cannot script (see wsDeflatePeer).
	play func(p *wsPeer) error
}

// wsNegotiation is a handshake's Sec-WebSocket-Extensions: the client's
// offer and the server's answer. The scripted peer sends its own and
// checks that the endpoint's is exactly the other.
type wsNegotiation struct{ offer, answer string }

// failure describes err, the case's failure, with the outcomes the case
// allows.
func (c wsCase) failure(err error) string {
	if c.note == "" {
		return err.Error()
	}
	return err.Error() + " (allowed: " + c.note + ")"
}

// Close codes the tables expect.
var (
	wsProto   = []int{wsframe.CloseProtocolError}
	wsBadUTF8 = []int{wsframe.CloseInvalidPayload}
	wsNormal  = []int{wsframe.CloseNormal}
)

// sendRecv is a step that sends frames and expects frames back.
func sendRecv(send []wsFrame, expect ...wsFrame) wsStep {
	return wsStep{send: send, expect: expect}
}

// frames is its arguments, to keep table rows short.
func frames(f ...wsFrame) []wsFrame { return f }

// echo is a step that sends f, a final data frame, and expects it back.
func echo(f wsFrame) wsStep { return sendRecv(frames(f), f) }

// wsPeer is the scripted end of a connection, run by the test's goroutine
// (or, when it plays the server, one the test owns and waits for).
type wsPeer struct {
	c      net.Conn
	r      *bufio.Reader
	client bool // masks what it sends, and wants the server's frames unmasked
	ahead  *wsFrame
	key    [4]byte
	ext    wsNegotiation
}

func newWSPeer(c net.Conn, client bool) *wsPeer {
	// A bound on a broken case, not a wait: every read ends sooner.
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &wsPeer{c: c, r: bufio.NewReaderSize(c, 64<<10), client: client, key: [4]byte{0x37, 0xfa, 0x21, 0x3d}}
}

// wsConformKey and its accept value are those of RFC 6455 section 1.3.
const (
	wsConformKey    = "dGhlIHNhbXBsZSBub25jZQ=="
	wsConformAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
)

// handshake opens the WebSocket as the client.
func (p *wsPeer) handshake() error {
	req := "GET /ws HTTP/1.1\r\nHost: conform\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + wsConformKey + "\r\nSec-WebSocket-Version: 13\r\n"
	if p.ext.offer != "" {
		req += "Sec-WebSocket-Extensions: " + p.ext.offer + "\r\n"
	}
	req += "\r\n"
	if _, err := io.WriteString(p.c, req); err != nil {
		return err
	}
	resp, err := http.ReadResponse(p.r, &http.Request{Method: http.MethodGet})
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols || resp.Header.Get("Sec-WebSocket-Accept") != wsConformAccept {
		return fmt.Errorf("handshake answered %s, accept %q", resp.Status, resp.Header.Get("Sec-WebSocket-Accept"))
	}
	if ext := strings.Join(resp.Header.Values("Sec-WebSocket-Extensions"), ", "); ext != p.ext.answer {
		return fmt.Errorf("server answered extensions %q, want %q", ext, p.ext.answer)
	}
	return nil
}

// accept answers the client's handshake as the server.
func (p *wsPeer) accept() error {
	req, err := http.ReadRequest(p.r)
	if err != nil {
		return err
	}
	key := req.Header.Get("Sec-WebSocket-Key")
	if req.Header.Get("Sec-WebSocket-Version") != "13" || key == "" || !strings.EqualFold(req.Header.Get("Upgrade"), "websocket") {
		return fmt.Errorf("not a WebSocket handshake: %v", req.Header)
	}
	if ext := strings.Join(req.Header.Values("Sec-WebSocket-Extensions"), ", "); ext != p.ext.offer {
		return fmt.Errorf("client offered extensions %q, want %q", ext, p.ext.offer)
	}
	h := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
	resp := "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(h[:]) + "\r\n"
	if p.ext.answer != "" {
		resp += "Sec-WebSocket-Extensions: " + p.ext.answer + "\r\n"
	}
	_, err = io.WriteString(p.c, resp+"\r\n")
	return err
}

// appendFrame appends f's wire form, masked if p is the client.
func (p *wsPeer) appendFrame(b []byte, f wsFrame) []byte {
	h := wsframe.Header{
		Fin: f.b0&wsFin != 0, RSV1: f.b0&0x40 != 0, RSV2: f.b0&0x20 != 0, RSV3: f.b0&0x10 != 0,
		Opcode: wsframe.Opcode(f.b0 & 0x0f), Masked: p.client, MaskKey: p.key, Length: int64(len(f.data)),
	}
	b = wsframe.AppendHeader(b, h)
	n := len(b)
	b = append(b, f.data...)
	if p.client {
		wsframe.Mask(p.key, 0, b[n:])
	}
	return b
}

// send writes a step's frames.
func (p *wsPeer) send(s wsStep) error {
	var b []byte
	for _, f := range s.send {
		b = p.appendFrame(b, f)
	}
	if s.to > 0 {
		hdr := len(b) - len(s.send[0].data)
		if s.from > 0 {
			s.from += hdr
		}
		b = b[s.from : hdr+s.to]
	}
	chop := s.chop
	if chop <= 0 {
		chop = len(b)
	}
	for len(b) > 0 {
		n := min(chop, len(b))
		if _, err := p.c.Write(b[:n]); err != nil {
			return err
		}
		b = b[n:]
	}
	return nil
}

// next reads the endpoint's next frame, checking its masking.
func (p *wsPeer) next() (wsFrame, error) {
	if f := p.ahead; f != nil {
		p.ahead = nil
		return *f, nil
	}
	var hdr [wsframe.MaxHeaderLen]byte
	if _, err := io.ReadFull(p.r, hdr[:2]); err != nil {
		return wsFrame{}, err
	}
	n := 2
	switch hdr[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if hdr[1]&0x80 != 0 {
		n += 4
	}
	if _, err := io.ReadFull(p.r, hdr[2:n]); err != nil {
		return wsFrame{}, err
	}
	role := wsframe.Client // the role of the end that parses the endpoint's frames
	if !p.client {
		role = wsframe.Server
	}
	h, _, err := wsframe.ParseHeader(hdr[:n], wsframe.Limits{AllowRSV1: p.ext.answer != ""}, role)
	if err != nil {
		return wsFrame{}, fmt.Errorf("endpoint sent a bad frame header %x: %w", hdr[:n], err)
	}
	data := make([]byte, h.Length)
	if _, err := io.ReadFull(p.r, data); err != nil {
		return wsFrame{}, err
	}
	if h.Masked {
		wsframe.Mask(h.MaskKey, 0, data)
	}
	return wsFrame{b0: hdr[0], data: data}, nil
}

// expect reads the frames of want, letting optional ones be missing.
func (p *wsPeer) expect(want []wsFrame) error {
	for _, w := range want {
		f, err := p.next()
		if err != nil {
			return fmt.Errorf("want %v: %w", w, err)
		}
		if f.b0 != w.b0 || !bytes.Equal(f.data, w.data) {
			if w.opt {
				p.ahead = &f
				continue
			}
			return fmt.Errorf("got frame %v, want %v", f, w)
		}
	}
	return nil
}

// run plays c after the handshake.
func (p *wsPeer) run(c wsCase) error {
	if c.play != nil {
		if err := c.play(p); err != nil {
			return err
		}
	}
	sendErr := error(nil)
	for i, s := range c.steps {
		if sendErr == nil {
			sendErr = p.send(s)
		}
		// An endpoint failing the connection may close it while the
		// rest of the case is still being written: the write fails, but
		// what the endpoint sent before is still there to read.
		if sendErr != nil && c.close == nil {
			return fmt.Errorf("step %d: send: %w", i, sendErr)
		}
		if err := p.expect(s.expect); err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
	}
	codes := c.close
	if codes == nil {
		if err := p.send(wsStep{send: frames(wsCloseF(wsframe.CloseNormal, ""))}); err != nil {
			return fmt.Errorf("sending close: %w", err)
		}
		codes = wsNormal
	}
	f, err := p.next()
	if err != nil {
		return fmt.Errorf("want a close frame with %v: %w", codes, err)
	}
	if f.b0 != wsFin|byte(wsframe.Close) {
		return fmt.Errorf("got frame %v, want a close frame with %v", f, codes)
	}
	code := wsNoCode
	if len(f.data) >= 2 {
		code = int(f.data[0])<<8 | int(f.data[1])
	}
	if !slices.Contains(codes, code) {
		return fmt.Errorf("close frame %v has code %d, want one of %v", f, code, codes)
	}
	if _, _, err := wsframe.ParseClosePayload(f.data); err != nil {
		return fmt.Errorf("close frame %v: %w", f, err)
	}
	// The server closes the TCP connection; a client waits for it to, so
	// the scripted server shuts its side down to let the client go.
	if !p.client {
		if tc, ok := p.c.(*net.TCPConn); ok {
			_ = tc.CloseWrite()
		}
	}
	// A reset is a close too: an endpoint that closes with bytes of the
	// case unread sends one (RFC 1122 section 4.2.2.13).
	if f, err := p.next(); !errors.Is(err, io.EOF) && !errors.Is(err, syscall.ECONNRESET) {
		if err == nil {
			return fmt.Errorf("frame %v after the close frame", f)
		}
		return fmt.Errorf("want the TCP connection closed after the close frame: %w", err)
	}
	return nil
}

// runWSServerCases plays cases, as the client, against aiohttp's server
// with the echo handler, upgrading with opts.
func runWSServerCases(t *testing.T, cases []wsCase, opts ...aiohttp.WSOption) {
	t.Helper()
	serveWith(t, wsEcho(opts...), nil, nil, func(addr string) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer conn.Close()
				p := newWSPeer(conn, true)
				p.ext = c.ext
				if err := p.handshake(); err != nil {
					t.Fatal(err)
				}
				if err := p.run(c); err != nil {
					t.Fatal(c.failure(err))
				}
			})
		}
	})
}

// runWSClientCases plays cases, as the server, against aiohttp's client
// connecting with opts and echoing every message.
func runWSClientCases(t *testing.T, cases []wsCase, opts ...aiohttp.WSOption) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { runWSClientCase(t, c, opts) })
	}
}

func runWSClientCase(t *testing.T, c wsCase, opts []aiohttp.WSOption) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	// The scripted server runs in a goroutine of this test, which waits
	// for it (done) before returning; it ends with its connection, or
	// when the listener closes.
	done := make(chan struct{})
	go func() {
		defer close(done)
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		p := newWSPeer(conn, false)
		p.ext = c.ext
		if err := p.accept(); err != nil {
			t.Error(err)
			return
		}
		if err := p.run(c); err != nil {
			t.Error(c.failure(err))
		}
	}()
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		ws, err := s.WSConnect(ctx, "ws://"+ln.Addr().String()+"/ws", opts...)
		if err != nil {
			ln.Close()
			asyncio.Recv(ctx, done)
			return struct{}{}, err
		}
		for m, err := range ws.Messages(ctx) {
			if err != nil || ws.Send(ctx, m) != nil {
				break
			}
		}
		if _, _, err := asyncio.Recv(ctx, done); err != nil {
			return struct{}{}, err
		}
		// The connection is over: Close returns once its transport is.
		_ = ws.Close(ctx, aiohttp.WSCloseNormal, "")
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// runWSCases runs cases against both ends.
func runWSCases(t *testing.T, cases []wsCase) {
	t.Run("server", func(t *testing.T) { runWSServerCases(t, cases) })
	t.Run("client", func(t *testing.T) { runWSClientCases(t, cases) })
}

func itoa(n int) string { return strconv.Itoa(n) }
