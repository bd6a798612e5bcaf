package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// gorilla/websocket is the independent Go implementation: its client
// against aiohttp's server, its server (net/http's, on goroutines)
// against aiohttp's client. Both write with a buffer of gorillaBuffer
// bytes, so that their large messages reach aiohttp in many fragments.
const gorillaBuffer = 1024

// gorillaCloseLine is the line for the close frame gorilla received, or
// for another error that ended its reading.
func gorillaCloseLine(err error) string {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return "closed " + strconv.Itoa(ce.Code) + " " + strconv.Quote(ce.Text)
	}
	return "error " + err.Error()
}

// wireConn counts the bytes read from its connection: what the other end
// sent, as it went on the wire.
type wireConn struct {
	net.Conn
	n *atomic.Int64
}

func (c wireConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// wireListener makes the connections it accepts wireConns.
type wireListener struct {
	net.Listener
	n *atomic.Int64
}

func (l wireListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return wireConn{c, l.n}, nil
}

// checkWire checks that what an end read of the exchange (its 1 MiB
// message, compressible, and more) took less than a quarter of that on
// the wire if compressed, and more than that if not: that the messages
// were compressed when permessage-deflate was negotiated, and only then.
func checkWire(t *testing.T, who string, n int64, compress bool) {
	t.Helper()
	if compress && n >= wsBigSize/4 {
		t.Errorf("%s read %d bytes with permessage-deflate: the messages it got were not compressed", who, n)
	}
	if !compress && n < wsBigSize {
		t.Errorf("%s read %d bytes, less than the 1 MiB message, without permessage-deflate", who, n)
	}
}

// gorillaClient is gorilla's client side of the exchange with the server
// at base, plus a burst and a fragmented message on /three, and returns the lines it printed. It
// counts the bytes it read in wire.
func gorillaClient(base string, compress bool, wire *atomic.Int64) (string, error) {
	var out strings.Builder
	d := websocket.Dialer{
		Subprotocols:      []string{"v1.chat", "v2.chat"},
		EnableCompression: compress,
		WriteBufferSize:   gorillaBuffer,
		HandshakeTimeout:  peer.Timeout,
		NetDial: func(network, addr string) (net.Conn, error) {
			c, err := net.Dial(network, addr)
			if err != nil {
				return nil, err
			}
			return wireConn{c, wire}, nil
		},
	}
	dial := func(path string) (*websocket.Conn, func(string), error) {
		c, resp, err := d.Dial(base+path, nil)
		if err != nil {
			return nil, nil, err
		}
		// A bound on the whole exchange, that fails it rather than hang.
		deadline := time.Now().Add(peer.Timeout)
		c.SetReadDeadline(deadline)
		c.SetWriteDeadline(deadline)
		say := func(line string) { fmt.Fprintf(&out, "%s %s\n", path, line) }
		say("protocol " + c.Subprotocol() + " extensions " + wsExt(resp.Header.Get("Sec-WebSocket-Extensions")))
		c.SetPongHandler(func(data string) error { say("pong " + data); return nil })
		return c, say, nil
	}
	read := func(c *websocket.Conn, say func(string)) {
		typ, p, err := c.ReadMessage()
		switch {
		case err != nil:
			say(gorillaCloseLine(err))
		case typ == websocket.TextMessage:
			say("text " + string(p))
		default:
			say(fmt.Sprintf("type %d, %d bytes", typ, len(p)))
		}
	}
	deadline := func() time.Time { return time.Now().Add(peer.Timeout) }

	c, say, err := dial("/one")
	if err != nil {
		return out.String(), err
	}
	defer c.Close()
	if err := c.WriteMessage(websocket.TextMessage, []byte("héllo")); err != nil {
		return out.String(), err
	}
	read(c, say)
	big := wsBig()
	if err := c.WriteMessage(websocket.BinaryMessage, big); err != nil {
		return out.String(), err
	}
	if typ, p, err := c.ReadMessage(); err != nil {
		say(gorillaCloseLine(err))
	} else if typ != websocket.BinaryMessage || !bytes.Equal(p, big) {
		say(fmt.Sprintf("type %d, %d bytes, not what was sent", typ, len(p)))
	} else {
		say(fmt.Sprintf("binary %d same", len(p)))
	}
	if err := c.WriteControl(websocket.PingMessage, []byte("cli-ping"), deadline()); err != nil {
		return out.String(), err
	}
	// The pong is seen while reading the answer to "ping me"; so is the
	// server's ping, which gorilla answers.
	if err := c.WriteMessage(websocket.TextMessage, []byte("ping me")); err != nil {
		return out.String(), err
	}
	read(c, say)
	if err := c.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "bye")); err != nil {
		return out.String(), err
	}
	read(c, say)

	c2, say, err := dial("/two")
	if err != nil {
		return out.String(), err
	}
	defer c2.Close()
	if err := c2.WriteMessage(websocket.TextMessage, []byte("close me")); err != nil {
		return out.String(), err
	}
	read(c2, say)

	c3, say, err := dial("/three")
	if err != nil {
		return out.String(), err
	}
	defer c3.Close()
	if err := c3.WriteMessage(websocket.TextMessage, []byte("burst")); err != nil {
		return out.String(), err
	}
	var msgs []string
	for {
		_, p, err := c3.ReadMessage()
		if err != nil {
			say(gorillaCloseLine(err))
			return out.String(), nil
		}
		if string(p) == "burst done" {
			break
		}
		msgs = append(msgs, string(p))
	}
	say(wsBurstCheck(msgs))
	if err := c3.WriteMessage(websocket.TextMessage, []byte("stream me")); err != nil {
		return out.String(), err
	}
	read(c3, say)
	if err := c3.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(1000, "")); err != nil {
		return out.String(), err
	}
	read(c3, say)
	return out.String(), nil
}

func TestWSInteropGorillaClient(t *testing.T) {
	wsCompressModes(t, func(t *testing.T, compress bool) {
		var log wsLog
		var out string
		var wire atomic.Int64
		serveChecked(t, wsInteropHandler(&log), nil, false, func(s served) {
			var err error
			if out, err = gorillaClient("ws://"+s.addr, compress, &wire); err != nil {
				t.Error(err)
			}
		})
		checkWire(t, "gorilla's client", wire.Load(), compress)
		hello := "/three protocol v2.chat extensions " + wsExtFor(compress)
		want := wsClientWant(compress) + hello + "\n/three " + wsBurstCheck(wsBurstAll()) +
			"\n/three text part-1 part-2 part-3\n/three closed 1000 \"\"\n"
		if out != want {
			t.Errorf("gorilla's client printed\n%s\nwant\n%s", out, want)
		}
		// gorilla answers a close frame with its code alone.
		serverWant := wsServerWant(compress, `closed 4001 ""`)
		serverWant["/three"] = []string{strings.TrimPrefix(hello, "/three "), "text burst", "text stream me", `closed 1000 ""`}
		log.check(t, "the server logged", serverWant)
	})
}

// wsBurstAll is the burst as sent, for the line wsBurstCheck makes of it.
func wsBurstAll() []string {
	var msgs []string
	for s := range wsBurstSenders {
		for i := range wsBurstEach {
			msgs = append(msgs, wsBurstMessage(s, i))
		}
	}
	return msgs
}

// gorillaServer starts gorilla's server side of the exchange for
// wsDrive, plus /three, where it checks a burst that ends with "burst
// end". It logs a line per event in log, and counts the bytes it read in
// wire. The returned function closes the server and waits for its
// handlers to end; it may be called again.
func gorillaServer(log *wsLog, compress bool, wire *atomic.Int64) (*httptest.Server, func()) {
	up := websocket.Upgrader{
		Subprotocols:      []string{"v2.chat", "v1.chat"},
		EnableCompression: compress,
		WriteBufferSize:   gorillaBuffer,
	}
	// The handlers are not waited for by httptest once they hijacked
	// their connection: handlers waits for them.
	var handlers sync.WaitGroup
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		path := r.URL.Path
		// gorilla accepts any offer of permessage-deflate when enabled,
		// and has no accessor to say it did.
		ext := "none"
		if compress && strings.Contains(r.Header.Get("Sec-WebSocket-Extensions"), "permessage-deflate") {
			ext = "permessage-deflate"
		}
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			log.add(path, "upgrade: "+err.Error())
			return
		}
		defer c.Close()
		deadline := time.Now().Add(peer.Timeout)
		c.SetReadDeadline(deadline)
		c.SetWriteDeadline(deadline)
		log.add(path, "protocol "+c.Subprotocol()+" extensions "+ext)
		c.SetPingHandler(func(data string) error {
			log.add(path, "ping "+data)
			return c.WriteControl(websocket.PongMessage, []byte(data), deadline)
		})
		c.SetPongHandler(func(data string) error {
			log.add(path, "pong "+data)
			return c.WriteMessage(websocket.TextMessage, []byte("pinged"))
		})
		var burst []string
		for {
			typ, p, err := c.ReadMessage()
			if err != nil {
				log.add(path, gorillaCloseLine(err))
				return
			}
			if typ == websocket.BinaryMessage {
				log.add(path, "binary "+strconv.Itoa(len(p)))
				err = c.WriteMessage(websocket.BinaryMessage, p)
			} else if path == "/three" {
				if string(p) != "burst end" {
					burst = append(burst, string(p))
					continue
				}
				log.add(path, wsBurstCheck(burst))
				err = c.WriteMessage(websocket.TextMessage, []byte("burst checked"))
			} else {
				log.add(path, "text "+string(p))
				switch string(p) {
				case "ping me":
					err = c.WriteControl(websocket.PingMessage, []byte("srv-ping"), deadline)
				case "close me":
					err = c.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(4001, "server says bye"), deadline)
				default:
					err = c.WriteMessage(websocket.TextMessage, append([]byte("echo: "), p...))
				}
			}
			if err != nil {
				log.add(path, "write: "+err.Error())
			}
		}
	}))
	srv.Listener = wireListener{srv.Listener, wire}
	srv.Start()
	return srv, sync.OnceFunc(func() {
		srv.Close()
		handlers.Wait()
	})
}

func TestWSInteropGorillaServer(t *testing.T) {
	wsCompressModes(t, func(t *testing.T, compress bool) {
		var log wsLog
		var wire atomic.Int64
		srv, stop := gorillaServer(&log, compress, &wire)
		defer stop() // if runPeer ends the test
		base := "ws://" + srv.Listener.Addr().String()
		var lines []string
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			var err error
			opts := []aiohttp.WSOption{aiohttp.Compress(compress)}
			if lines, err = wsDrive(ctx, s, base, opts...); err != nil {
				return err
			}
			// Concurrent sends from tasks, through a small buffer so
			// that they wait for room in turn.
			ws, err := s.WSConnect(ctx, base+"/three", append(opts, aiohttp.WriteBufferLimit(4<<10))...)
			if err != nil {
				return err
			}
			if err := wsBurst(ctx, ws); err != nil {
				return err
			}
			if err := ws.SendText(ctx, "burst end"); err != nil {
				return err
			}
			m, err := ws.ReceiveText(ctx)
			lines = append(lines, "/three text "+m)
			if err != nil {
				return err
			}
			if err := ws.Close(ctx, aiohttp.WSCloseNormal, "done"); err != nil {
				return err
			}
			lines = append(lines, "/three "+wsCloseLine(ws.Err()))
			return nil
		})
		stop()
		checkWire(t, "gorilla's server", wire.Load(), compress)
		// gorilla answers a close frame with its code alone.
		want := append(wsDriveWant(compress, `closed 1000 ""`), "/three text burst checked", `/three closed 1000 ""`)
		checkLines(t, "our client saw", map[string][]string{"": lines}, map[string][]string{"": want})
		serverWant := wsPeerServerWant(compress)
		serverWant["/three"] = []string{"protocol  extensions " + wsExtFor(compress), wsBurstCheck(wsBurstAll()), `closed 1000 "done"`}
		log.check(t, "gorilla's server logged", serverWant)
	})
}
