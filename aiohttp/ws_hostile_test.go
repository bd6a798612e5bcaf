package aiohttp_test

import (
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

// The WebSocket hostile tests play peers that break the rules after the
// upgrade: ones that go silent, never read, announce huge messages,
// inflate to gigabytes or send garbage. Each is answered with the right
// close code or a closed connection, with bounded memory, and nothing of
// the server is left behind.

// wsTestKey is a valid Sec-WebSocket-Key.
const wsTestKey = "dGhlIHNhbXBsZSBub25jZQ=="

// wsHandshakeRequest is an opening handshake for /ws with extra header
// lines (each ending in CRLF).
func wsHandshakeRequest(extra string) string {
	return "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + wsTestKey + "\r\nSec-WebSocket-Version: 13\r\n" + extra + "\r\n"
}

// wsHandshake sends the opening handshake on c and reads the 101 response.
func wsHandshake(t *testing.T, c *rawConn, extra string) *http.Response {
	t.Helper()
	c.send(wsHandshakeRequest(extra))
	resp, err := http.ReadResponse(c.r, &http.Request{Method: http.MethodGet})
	if err != nil {
		t.Fatalf("the handshake's response: %v", err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("the handshake got %s, want 101", resp.Status)
	}
	return resp
}

// clientFrame is a masked frame, as a client sends it.
func clientFrame(fin bool, op wsframe.Opcode, p []byte) []byte {
	h := wsframe.Header{Fin: fin, Opcode: op, Length: int64(len(p)), Masked: true, MaskKey: [4]byte{0x12, 0x34, 0x56, 0x78}}
	b := wsframe.AppendHeader(nil, h)
	start := len(b)
	b = append(b, p...)
	wsframe.Mask(h.MaskKey, 0, b[start:])
	return b
}

// readServerFrame reads one frame the server sent on c.
func readServerFrame(c *rawConn) (wsframe.Header, []byte, error) {
	var buf [14]byte
	if _, err := io.ReadFull(c.r, buf[:2]); err != nil {
		return wsframe.Header{}, nil, err
	}
	n := 2
	switch buf[1] & 0x7f {
	case 126:
		n += 2
	case 127:
		n += 8
	}
	if buf[1]&0x80 != 0 {
		n += 4
	}
	if _, err := io.ReadFull(c.r, buf[2:n]); err != nil {
		return wsframe.Header{}, nil, err
	}
	h, _, err := wsframe.ParseHeader(buf[:n], wsframe.Limits{}, wsframe.Client)
	if err != nil {
		return h, nil, err
	}
	if h.Length > 1<<20 {
		return h, nil, errors.New("a server frame of " + strconv.FormatInt(h.Length, 10) + " bytes")
	}
	p := make([]byte, h.Length)
	_, err = io.ReadFull(c.r, p)
	return h, p, err
}

// readUntilClosed reads what the server sends on c until it closes the
// connection, and returns the code of its close frame, or 0 if it sent
// none. Data frames and pongs before the close frame are skipped; a frame
// after it, or one that does not parse, is an error.
func readUntilClosed(t *testing.T, name string, c *rawConn) int {
	t.Helper()
	code := 0
	for {
		h, p, err := readServerFrame(c)
		if isConnEnd(err) {
			return code
		}
		if err != nil {
			t.Errorf("%s: reading the server's frames: %v", name, err)
			return code
		}
		if code != 0 {
			t.Errorf("%s: a frame after the close frame: %+v", name, h)
		}
		if h.Opcode == wsframe.Close {
			code = int(wsframe.CloseNoStatus)
			if len(p) >= 2 {
				code = int(p[0])<<8 | int(p[1])
			}
		}
	}
}

// wsCloseCode returns the code of a *WSCloseError in err, or 0.
func wsCloseCode(err error) int {
	var ce *aiohttp.WSCloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return 0
}

// wsReporter upgrades, echoes every message, and sends on ends the error
// Receive ends with: how the connection ended, as the server saw it. ends
// must have room for every connection, the handler's task never waiting
// for the test.
func wsReporter(ends chan<- error, opts ...aiohttp.WSOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, opts...)
		if err != nil {
			ends <- err
			return
		}
		for {
			m, err := ws.Receive(r.Context())
			if err != nil {
				ends <- err
				return
			}
			_ = ws.Send(r.Context(), m) // a failed send shows in the next Receive
		}
	})
}

// serverEnd receives how the server saw a connection end, waiting at most
// 20 s (a deadline, not a synchronization: the end is reported before the
// client sees the connection closed, or soon after).
func serverEnd(t *testing.T, ends <-chan error) error {
	t.Helper()
	select {
	case err := <-ends:
		return err
	case <-time.After(20 * time.Second):
		t.Fatal("after 20 s, the server's handler has not seen its WebSocket end")
		return nil
	}
}

// wsServeVirtual serves h on a loop with a virtual clock and runs body
// as its main task. Once body returns every WebSocket must have ended:
// Shutdown must return without the clock moving (with auto-jump on, any
// wait of Shutdown would move it), no task may be left, and after the loop
// closed no goroutine or file descriptor may outlive it.
func wsServeVirtual(t *testing.T, h http.Handler, body func(ctx context.Context, srv *aiohttp.Server, clock *asyncio.VirtualClock) error) {
	t.Helper()
	fdsBefore := openFDs(t)
	clock := asyncio.NewVirtualClock()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		berr := body(ctx, srv, clock)
		clock.SetAutoJump(true)
		t0 := clock.Now()
		if err := asyncio.Timeout(ctx, shutdownGrace, srv.Shutdown); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if d := clock.Now() - t0; d != 0 {
			t.Errorf("Shutdown took %v of the loop's clock: a WebSocket or a request was left", d)
		}
		self := asyncio.CurrentTask(ctx)
		for _, task := range asyncio.AllTasks(ctx) {
			if task != self {
				t.Errorf("after Shutdown, task %q is left", task.Name())
			}
		}
		return struct{}{}, berr
	}, asyncio.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	if leaked := leakcheck.Leaked(leakGrace); len(leaked) > 0 {
		t.Errorf("%d goroutines outlive the loop:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
	checkFDs(t, fdsBefore)
}

// kernelTCPBuffers returns the most a loopback connection's two socket
// buffers can hold in one direction: the sender's send buffer and the
// receiver's receive buffer at their largest (tcp_wmem and tcp_rmem), or
// 32 MiB where /proc does not say.
func kernelTCPBuffers() int {
	maxOf := func(file string) int {
		b, err := os.ReadFile(file)
		if err != nil {
			return 0
		}
		f := strings.Fields(string(b))
		if len(f) != 3 {
			return 0
		}
		n, _ := strconv.Atoi(f[2])
		return n
	}
	w, r := maxOf("/proc/sys/net/ipv4/tcp_wmem"), maxOf("/proc/sys/net/ipv4/tcp_rmem")
	if w == 0 || r == 0 {
		return 32 << 20
	}
	return w + r
}

// A server that sends 1 MiB messages in a loop to a client that never
// reads stops once the socket's buffers and the transport's high-water
// mark are full: its sends wait for room, so the messages it holds are
// bounded, whatever the client does. Once the client goes, the waiting
// send fails.
func TestWSHostileStalledReader(t *testing.T) {
	const msgSize = 1 << 20
	const maxSends = 64 // far more than the buffers can hold
	var sent atomic.Int64
	var sendErr error
	done := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		ws, err := aiohttp.Upgrade(w, r)
		if err != nil {
			t.Errorf("Upgrade: %v", err)
			return
		}
		msg := make([]byte, msgSize)
		for sent.Load() < maxSends {
			if sendErr = ws.SendBytes(r.Context(), msg); sendErr != nil {
				return
			}
			sent.Add(1)
		}
	})
	wsServeVirtual(t, h, func(ctx context.Context, srv *aiohttp.Server, clock *asyncio.VirtualClock) error {
		c, err := asyncio.ToThread(ctx, func() (*rawConn, error) {
			c := dialRaw(t, srv.Addr().String())
			wsHandshake(t, c, "")
			return c, nil
		})
		if err != nil {
			return err
		}
		defer c.Close()
		// The loop sleeps until it is idle: the server's send waits and
		// no byte moves (the clock jumps only then).
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		n := sent.Load()
		bound := kernelTCPBuffers() + 64<<10 + msgSize
		t.Logf("with the client stalled, %d sends of 1 MiB completed (bound: %d KiB of socket buffers, high-water mark and one message)", n, bound>>10)
		if n >= maxSends || int(n)*msgSize > bound {
			t.Errorf("%d sends of 1 MiB completed to a client that reads nothing: the server buffers without bound", n)
		}
		c.Close()
		if _, _, err := asyncio.Recv(ctx, done); err != nil {
			return err
		}
		if wsCloseCode(sendErr) != aiohttp.WSCloseAbnormal {
			t.Errorf("the send waiting when the client went returned %v, want a WSCloseError with 1006", sendErr)
		}
		if got := sent.Load(); got >= maxSends || int(got)*msgSize > bound {
			t.Errorf("%d sends of 1 MiB completed in all to a client that read nothing", got)
		}
		return nil
	})
}

// writeFrames writes the frames with headers hs, their payloads zeros
// (the masking makes them whatever), and returns the bytes written before
// an error.
func writeFrames(c net.Conn, hs []wsframe.Header) (int64, error) {
	chunk := make([]byte, 64<<10)
	var n int64
	for _, h := range hs {
		k, err := c.Write(wsframe.AppendHeader(nil, h))
		n += int64(k)
		if err != nil {
			return n, err
		}
		for left := h.Length; left > 0; {
			k, err := c.Write(chunk[:min(left, int64(len(chunk)))])
			n += int64(k)
			left -= int64(k)
			if err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// totalAlloc returns the bytes allocated since the process started.
func totalAlloc() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.TotalAlloc
}

// A message of 100 MiB, announced whole in one frame header or growing
// fragment by fragment, is refused as soon as its size passes MaxMsgSize
// (4 MiB by default): close code 1009 and a closed connection, with far
// less than the message written by the client, and allocated.
func TestWSHostileHugeMessage(t *testing.T) {
	const huge = 100 << 20
	mask := [4]byte{1, 2, 3, 4}
	oneFrame := []wsframe.Header{{Fin: true, Opcode: wsframe.Binary, Length: huge, Masked: true, MaskKey: mask}}
	var fragments []wsframe.Header
	for i := range 100 {
		op := wsframe.Continuation
		if i == 0 {
			op = wsframe.Binary
		}
		fragments = append(fragments, wsframe.Header{Fin: i == 99, Opcode: op, Length: huge / 100, Masked: true, MaskKey: mask})
	}
	cases := []struct {
		name   string
		frames []wsframe.Header
	}{
		{"one frame", oneFrame},
		{"100 fragments", fragments},
	}
	ends := make(chan error, 2*len(cases))
	serveChecked(t, wsReporter(ends), nil, false, func(s served) {
		for _, tc := range cases {
			c := dialRaw(t, s.addr)
			wsHandshake(t, c, "")
			alloc0 := totalAlloc()
			wrote := make(chan int64, 1)
			// The writer ends when the server closes the connection, or
			// at the latest when this test closes it below.
			go func() {
				n, _ := writeFrames(c.Conn, tc.frames)
				wrote <- n
			}()
			code := readUntilClosed(t, tc.name, c)
			c.Close()
			n := <-wrote
			alloc := totalAlloc() - alloc0
			t.Logf("%s: the client wrote %d KiB of the 100 MiB before the server closed; %d KiB allocated meanwhile (by the whole process)",
				tc.name, n>>10, alloc>>10)
			if code != aiohttp.WSCloseMessageTooBig {
				t.Errorf("%s: close code %d, want 1009", tc.name, code)
			}
			// What the server read before it refused the message, and
			// what the sockets' buffers took before the connection was
			// closed, at most (but never half the message).
			if bound := min(aiohttp.DefaultMaxMsgSize+huge/100+kernelTCPBuffers(), huge/2); n > int64(bound) {
				t.Errorf("%s: the client wrote %d MiB before the server closed", tc.name, n>>20)
			}
			// Fragments are appended as they come: growing the message
			// to the 4 MiB limit allocates about 20 MiB in all.
			if alloc > 40<<20 {
				t.Errorf("%s: %d MiB allocated while the message was refused", tc.name, alloc>>20)
			}
			err := serverEnd(t, ends)
			if wsCloseCode(err) != aiohttp.WSCloseMessageTooBig || !errors.Is(err, aiohttp.ErrWSMessageTooBig) {
				t.Errorf("%s: the server's Receive ended with %v, want ErrWSMessageTooBig (1009)", tc.name, err)
			}
		}
	})
}

// deflateBomb returns the payload of a permessage-deflate message that
// inflates to mib MiB of zeros: mib copies of the deflate blocks of 1 MiB
// of zeros, about 1 KiB each (DEFLATE cannot do better than about 1:1030),
// without the final 00 00 ff ff, as RFC 7692 section 7.2.1 sends it. The
// copies chain: each decodes to zeros after any output of zeros.
func deflateBomb(t *testing.T, mib int) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := flate.NewWriter(&b, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(make([]byte, 1<<20))
	w.Flush()
	block := b.Bytes()
	return bytes.Repeat(block, mib)[:len(block)*mib-4]
}

// A compressed message of 16 KiB that inflates to 16 MiB, and one of
// about 1 MiB that inflates to 1 GiB, are refused at MaxMsgSize (4 MiB)
// with 1009 once inflated that far, not inflated whole.
func TestWSHostileDeflateBomb(t *testing.T) {
	small := deflateBomb(t, 16)
	// The test's data is what it says: the small bomb inflates to 16 MiB.
	n, err := io.Copy(io.Discard, flate.NewReader(io.MultiReader(bytes.NewReader(small), strings.NewReader("\x00\x00\xff\xff"))))
	if n != 16<<20 || (err != nil && err != io.ErrUnexpectedEOF) {
		t.Fatalf("the 16 MiB bomb inflates to %d bytes: %v", n, err)
	}
	cases := []struct {
		name    string
		payload []byte
	}{
		{"16 MiB", small},
		{"1 GiB", deflateBomb(t, 1024)},
	}
	ends := make(chan error, len(cases))
	serveChecked(t, wsReporter(ends, aiohttp.Compress(true)), nil, false, func(s served) {
		for _, tc := range cases {
			c := dialRaw(t, s.addr)
			resp := wsHandshake(t, c, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover\r\n")
			if !strings.Contains(resp.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
				t.Errorf("%s: the server did not accept permessage-deflate: %q", tc.name, resp.Header.Get("Sec-WebSocket-Extensions"))
				c.Close()
				continue
			}
			h := wsframe.Header{Fin: true, RSV1: true, Opcode: wsframe.Binary, Length: int64(len(tc.payload)), Masked: true, MaskKey: [4]byte{9, 8, 7, 6}}
			frame := wsframe.AppendHeader(nil, h)
			start := len(frame)
			frame = append(frame, tc.payload...)
			wsframe.Mask(h.MaskKey, 0, frame[start:])
			alloc0 := totalAlloc()
			wrote := make(chan struct{})
			// The writer ends when the frame is written or the
			// connection closed.
			go func() {
				defer close(wrote)
				c.Conn.Write(frame)
			}()
			code := readUntilClosed(t, tc.name, c)
			c.Close()
			<-wrote
			alloc := totalAlloc() - alloc0
			t.Logf("%s bomb of %d KiB: %d KiB allocated (by the whole process) while it was refused", tc.name, len(tc.payload)>>10, alloc>>10)
			if code != aiohttp.WSCloseMessageTooBig {
				t.Errorf("%s: close code %d, want 1009", tc.name, code)
			}
			if alloc > 64<<20 {
				t.Errorf("%s: %d MiB allocated while the bomb was refused", tc.name, alloc>>20)
			}
			err := serverEnd(t, ends)
			if wsCloseCode(err) != aiohttp.WSCloseMessageTooBig || !errors.Is(err, aiohttp.ErrWSMessageTooBig) {
				t.Errorf("%s: the server's Receive ended with %v, want ErrWSMessageTooBig (1009)", tc.name, err)
			}
		}
	})
}

// Garbage after the upgrade is answered with a close frame with the right
// code, or, for a stream that just ends, a closed connection; meanwhile
// and after, the server serves other WebSockets.
func TestWSHostileGarbage(t *testing.T) {
	random := make([]byte, 4<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(rng.Uint32())
	}
	const anyCode = -1
	cases := []struct {
		name     string
		in       []byte
		eof      bool // half-close after in
		want     int  // the close code the client gets, 0 for none
		wantSeen int  // the code the server's Receive ends with
	}{
		{"random bytes", random, false, anyCode, anyCode},
		{"an HTTP request", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), false, 1002, 1002},
		{"an unmasked text frame", []byte("\x81\x05hello"), false, 1002, 1002},
		{"an unmasked close frame", []byte("\x88\x02\x03\xe8"), false, 1002, 1002},
		{"a truncated frame, then EOF", clientFrame(true, wsframe.Text, []byte("0123456789"))[:10], true, 0, 1006},
		{"a frame header, then EOF", clientFrame(true, wsframe.Binary, make([]byte, 1000))[:4], true, 0, 1006},
		{"a continuation outside a message", clientFrame(true, wsframe.Continuation, []byte("x")), false, 1002, 1002},
		{"a fragmented ping", clientFrame(false, wsframe.Ping, nil), false, 1002, 1002},
		{"a reserved opcode", clientFrame(true, wsframe.Opcode(3), nil), false, 1002, 1002},
		{"text that is not UTF-8", clientFrame(true, wsframe.Text, []byte{0xff, 0xfe}), false, 1007, 1007},
		{"a close code out of range", clientFrame(true, wsframe.Close, []byte{0x03, 0xe7}), false, 1002, 1002},
	}
	ends := make(chan error, 2*len(cases)+2)
	serveChecked(t, wsReporter(ends), nil, false, func(s served) {
		// A WebSocket open all along, used between the cases.
		good := dialRaw(t, s.addr)
		wsHandshake(t, good, "")
		for i, tc := range cases {
			c := dialRaw(t, s.addr)
			wsHandshake(t, c, "")
			c.send(string(tc.in))
			if tc.eof {
				c.Conn.(*net.TCPConn).CloseWrite()
			}
			code := readUntilClosed(t, tc.name, c)
			c.Close()
			seen := wsCloseCode(serverEnd(t, ends))
			switch {
			case tc.want == anyCode:
				if code != 0 && !wsframe.ValidCloseCode(code) {
					t.Errorf("%s: close code %d", tc.name, code)
				}
			case code != tc.want:
				t.Errorf("%s: close code %d, want %d", tc.name, code, tc.want)
			}
			if tc.wantSeen != anyCode && seen != tc.wantSeen {
				t.Errorf("%s: the server's Receive ended with code %d, want %d", tc.name, seen, tc.wantSeen)
			}
			t.Logf("%s: the client got close code %d, the server saw %d", tc.name, code, seen)
			msg := "still serving " + strconv.Itoa(i)
			good.send(string(clientFrame(true, wsframe.Text, []byte(msg))))
			if h, p, err := readServerFrame(good); err != nil || h.Opcode != wsframe.Text || string(p) != msg {
				t.Errorf("after %s, the echo on another WebSocket: %+v %q %v", tc.name, h, p, err)
			}
		}
		good.send(string(clientFrame(true, wsframe.Close, []byte{0x03, 0xe8})))
		if code := readUntilClosed(t, "the good WebSocket", good); code != 1000 {
			t.Errorf("the good WebSocket closed with %d, want 1000", code)
		}
		good.Close()
		if err := serverEnd(t, ends); wsCloseCode(err) != 1000 {
			t.Errorf("the good WebSocket's Receive ended with %v, want 1000", err)
		}
	})
}
