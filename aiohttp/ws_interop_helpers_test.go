package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// The WebSocket interop tests put aiohttp's WebSocket, server and client,
// against implementations we did not write: Node's ws, Python's websockets
// and aiohttp, and gorilla/websocket. Both ends follow one exchange:
//
// On /one the client checks the subprotocol (it offers v1.chat and
// v2.chat; the server prefers v2.chat), sends "héllo" and gets "echo:
// héllo", sends 1 MiB of binary and gets it back, pings with "cli-ping",
// sends "ping me", upon which the server pings with "srv-ping" and, once
// answered, sends "pinged"; then the client closes with 1000 "bye". On
// /two the client sends "close me" and the server closes with 4001
// "server says bye". Each end prints, or logs, a line per event, and the
// tests compare the lines with what they must be.

// wsCompressModes runs test as two subtests, without and with
// permessage-deflate offered by the client and accepted by the server.
func wsCompressModes(t *testing.T, test func(t *testing.T, compress bool)) {
	t.Run("plain", func(t *testing.T) { test(t, false) })
	t.Run("deflate", func(t *testing.T) { test(t, true) })
}

// wsExt is how the interop lines show a negotiated extension: its name
// ("permessage-deflate"), parameters left out since each implementation
// picks its own, or "none".
func wsExt(ext string) string {
	name, _, _ := strings.Cut(ext, ";")
	if name = strings.TrimSpace(name); name == "" {
		return "none"
	}
	return name
}

// wsExtFor is the wsExt an end shows in a test with or without
// compression.
func wsExtFor(compress bool) string {
	if compress {
		return "permessage-deflate"
	}
	return "none"
}

// wsBigSize is the size of the binary message of the exchange.
const wsBigSize = 1 << 20

// wsBig is a binary message for the exchange: 1 KiB blocks, each 16
// random bytes repeated, so that deflate finds matches and writes the
// Huffman codes of its own choosing (random bytes alone would go out as
// stored blocks), and yet no two runs send the same. The peers' scripts
// make theirs the same way.
func wsBig() []byte {
	b := make([]byte, 0, wsBigSize)
	for len(b) < wsBigSize {
		b = append(b, bytes.Repeat(randomBytes(16), 64)...)
	}
	return b
}

// wsLog collects the lines of the server's handler (on the loop) for each
// path, read by the test once the server is shut down.
type wsLog struct {
	mu    sync.Mutex
	lines map[string][]string
}

func (l *wsLog) add(path, line string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lines == nil {
		l.lines = map[string][]string{}
	}
	l.lines[path] = append(l.lines[path], line)
}

// check compares the lines logged for each path with want's.
func (l *wsLog) check(t *testing.T, who string, want map[string][]string) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	checkLines(t, who, l.lines, want)
}

// checkLines compares got's lines for each path with want's.
func checkLines(t *testing.T, who string, got, want map[string][]string) {
	t.Helper()
	for path, w := range want {
		if g := got[path]; !slices.Equal(g, w) {
			t.Errorf("%s on %s:\n\t%s\nwant\n\t%s", who, path, strings.Join(g, "\n\t"), strings.Join(w, "\n\t"))
		}
	}
	for path, g := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s on %s, unexpected:\n\t%s", who, path, strings.Join(g, "\n\t"))
		}
	}
}

// byPath groups the lines of a peer's output by their first word, the
// path of the connection they are about, since the ends of two
// connections can interleave.
func byPath(out string) map[string][]string {
	m := map[string][]string{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		path, rest, _ := strings.Cut(line, " ")
		m[path] = append(m[path], rest)
	}
	return m
}

// wsCloseLine is the line for the end of a connection: the close code
// and reason of the peer's close frame (WSCloseError), and why this end
// failed it, if it did.
func wsCloseLine(err error) string {
	var ce *aiohttp.WSCloseError
	if !errors.As(err, &ce) {
		return "error " + err.Error()
	}
	line := "closed " + strconv.Itoa(ce.Code) + " " + strconv.Quote(ce.Reason)
	if ce.Err != nil {
		line += " failed: " + ce.Err.Error()
	}
	return line
}

// wsInteropHandler is the server's end of the exchange for the interop
// clients. It handles control frames itself (Autoping(false)), so that
// the log shows every ping and pong the client sent: a client pinging on
// its own, a heartbeat, would show. On "burst" it sends wsBurst from
// concurrent tasks, on "stream me" a text message in three fragments.
func wsInteropHandler(log *wsLog, opts ...aiohttp.WSOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		opts := append([]aiohttp.WSOption{aiohttp.Protocols("v2.chat", "v1.chat"), aiohttp.Autoping(false)}, opts...)
		ws, err := aiohttp.Upgrade(w, r, opts...)
		if err != nil {
			log.add(path, "upgrade: "+err.Error())
			return
		}
		ctx := r.Context()
		log.add(path, "protocol "+ws.Protocol()+" extensions "+wsExt(ws.Extensions()))
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				log.add(path, wsCloseLine(err))
				return
			}
			switch m.Type {
			case aiohttp.WSPing:
				log.add(path, "ping "+string(m.Data))
				err = ws.Pong(ctx, m.Data)
			case aiohttp.WSPong:
				log.add(path, "pong "+string(m.Data))
			case aiohttp.WSBinary:
				log.add(path, "binary "+strconv.Itoa(len(m.Data)))
				err = ws.SendBytes(ctx, m.Data)
			case aiohttp.WSText:
				text := string(m.Data)
				log.add(path, "text "+text)
				switch text {
				case "ping me":
					if err = ws.Ping(ctx, []byte("srv-ping")); err == nil {
						err = ws.SendText(ctx, "pinged")
					}
				case "close me":
					if err := ws.Close(ctx, 4001, "server says bye"); err != nil {
						log.add(path, "Close: "+err.Error())
					}
				case "burst":
					if err = wsBurst(ctx, ws); err == nil {
						err = ws.SendText(ctx, "burst done")
					}
				case "stream me":
					err = wsStream(ctx, ws, "part-1 ", "part-2 ", "part-3")
				default:
					err = ws.SendText(ctx, "echo: "+text)
				}
			}
			if err != nil {
				log.add(path, "send: "+err.Error())
			}
		}
	})
}

// wsServerWant is what wsInteropHandler logs for a client that follows
// the exchange: closing /one with 1000 "bye", and answering the close of
// /two with echoClose.
func wsServerWant(compress bool, echoClose string) map[string][]string {
	hello := "protocol v2.chat extensions " + wsExtFor(compress)
	return map[string][]string{
		"/one": {hello, "text héllo", "binary " + strconv.Itoa(wsBigSize), "ping cli-ping", "text ping me", "pong srv-ping", `closed 1000 "bye"`},
		"/two": {hello, "text close me", echoClose},
	}
}

// wsClientWant is what a client that follows the exchange prints, the
// close of /one answered by the server with 1000 and no reason (it
// echoes the code, as RFC 6455 suggests).
func wsClientWant(compress bool) string {
	hello := "protocol v2.chat extensions " + wsExtFor(compress)
	return fmt.Sprintf("/one %s\n/one text echo: héllo\n/one binary %d same\n/one pong cli-ping\n/one text pinged\n/one closed 1000 \"\"\n"+
		"/two %s\n/two closed 4001 \"server says bye\"\n", hello, wsBigSize, hello)
}

// Concurrent sends: wsBurstSenders tasks send wsBurstEach messages each,
// of wsBurstPad bytes, enough for senders to wait for room in the
// transport's buffer.
const (
	wsBurstSenders = 8
	wsBurstEach    = 40
	wsBurstPad     = 3000
)

// wsBurstMessage is message i of sender s: its header, "s i", then
// padding derived from both, so that a message mixed with another's shows.
func wsBurstMessage(s, i int) string {
	head := fmt.Sprintf("%d %d ", s, i)
	return head + strings.Repeat(string(rune('a'+(s+i)%26)), wsBurstPad)
}

// wsBurst sends the burst from wsBurstSenders tasks at once.
func wsBurst(ctx context.Context, ws *aiohttp.WebSocket) error {
	var fns []func(context.Context) (struct{}, error)
	for s := range wsBurstSenders {
		fns = append(fns, func(ctx context.Context) (struct{}, error) {
			for i := range wsBurstEach {
				if err := ws.SendText(ctx, wsBurstMessage(s, i)); err != nil {
					return struct{}{}, err
				}
			}
			return struct{}{}, nil
		})
	}
	_, err := asyncio.Gather(ctx, fns...)
	return err
}

// wsBurstCheck checks the burst's messages as one end received them:
// every message whole and, for each sender, all in the order sent. It
// returns the line the tests compare.
func wsBurstCheck(msgs []string) string {
	next := make([]int, wsBurstSenders)
	for _, m := range msgs {
		var s, i int
		if _, err := fmt.Sscanf(m, "%d %d ", &s, &i); err != nil || s < 0 || s >= wsBurstSenders {
			return fmt.Sprintf("bad message %.40q", m)
		}
		if m != wsBurstMessage(s, i) {
			return fmt.Sprintf("message %d of sender %d corrupted", i, s)
		}
		if i != next[s] {
			return fmt.Sprintf("sender %d: message %d arrived when %d was due", s, i, next[s])
		}
		next[s]++
	}
	for s, n := range next {
		if n != wsBurstEach {
			return fmt.Sprintf("sender %d: %d messages of %d", s, n, wsBurstEach)
		}
	}
	return fmt.Sprintf("burst of %d whole and in order", len(msgs))
}

// wsStream sends a text message made of frags, a fragment each, with
// Writer.
func wsStream(ctx context.Context, ws *aiohttp.WebSocket, frags ...string) error {
	wr, err := ws.Writer(ctx, aiohttp.WSText)
	if err != nil {
		return err
	}
	for _, frag := range frags {
		if _, err := wr.Write([]byte(frag)); err != nil {
			wr.Close()
			return err
		}
	}
	return wr.Close()
}

// wsDrive is our client's end of the exchange with a peer server at base
// ("ws://host:port"), plus a message the client sends in fragments with
// Writer. It returns the lines of what it saw, each after the path of
// its connection.
func wsDrive(ctx context.Context, s *aiohttp.Session, base string, opts ...aiohttp.WSOption) ([]string, error) {
	var lines []string
	opts = append([]aiohttp.WSOption{aiohttp.Protocols("v2.chat", "v1.chat")}, opts...)
	ws, err := s.WSConnect(ctx, base+"/one", opts...)
	if err != nil {
		return nil, err
	}
	note := func(path, line string) { lines = append(lines, path+" "+line) }
	receive := func(path string) {
		m, err := ws.Receive(ctx)
		switch {
		case err != nil:
			note(path, wsCloseLine(err))
		case m.Type == aiohttp.WSText:
			note(path, "text "+string(m.Data))
		default:
			note(path, fmt.Sprintf("%v %d", m.Type, len(m.Data)))
		}
	}
	note("/one", "protocol "+ws.Protocol()+" extensions "+wsExt(ws.Extensions()))
	if err := ws.SendText(ctx, "héllo"); err != nil {
		return lines, err
	}
	receive("/one")
	big := wsBig()
	if err := ws.SendBytes(ctx, big); err != nil {
		return lines, err
	}
	if got, err := ws.ReceiveBytes(ctx); err != nil {
		note("/one", wsCloseLine(err))
	} else {
		note("/one", fmt.Sprintf("binary %d same %v", len(got), bytes.Equal(got, big)))
	}
	if err := ws.Ping(ctx, []byte("cli-ping")); err != nil {
		return lines, err
	}
	note("/one", "pong cli-ping")
	if err := ws.SendText(ctx, "ping me"); err != nil {
		return lines, err
	}
	receive("/one")
	if err := wsStream(ctx, ws, "frag-1 ", "frag-2 ", "frag-3"); err != nil {
		return lines, err
	}
	receive("/one")
	if err := ws.Close(ctx, aiohttp.WSCloseNormal, "bye"); err != nil {
		return lines, err
	}
	note("/one", wsCloseLine(ws.Err()))

	if ws, err = s.WSConnect(ctx, base+"/two", opts...); err != nil {
		return lines, err
	}
	note("/two", "protocol "+ws.Protocol()+" extensions "+wsExt(ws.Extensions()))
	if err := ws.SendText(ctx, "close me"); err != nil {
		return lines, err
	}
	receive("/two")
	// Close joins the closing handshake the server began, and returns
	// once the server closed the connection, after its end was done.
	return lines, ws.Close(ctx, aiohttp.WSCloseNormal, "")
}

// wsDriveWant is what wsDrive sees of a server that follows the exchange
// and answers the close of /one with echoClose.
func wsDriveWant(compress bool, echoClose string) []string {
	hello := "protocol v2.chat extensions " + wsExtFor(compress)
	return []string{
		"/one " + hello, "/one text echo: héllo", fmt.Sprintf("/one binary %d same true", wsBigSize), "/one pong cli-ping",
		"/one text pinged", "/one text echo: frag-1 frag-2 frag-3", "/one " + echoClose,
		"/two " + hello, `/two closed 4001 "server says bye"`,
	}
}

// wsPeerServerWant is what a peer server that follows the exchange logs
// of wsDrive: the client closing /one with 1000 "bye" and answering the
// close of /two with the code alone.
func wsPeerServerWant(compress bool) map[string][]string {
	hello := "protocol v2.chat extensions " + wsExtFor(compress)
	return map[string][]string{
		"/one": {hello, "text héllo", "binary " + strconv.Itoa(wsBigSize), "ping cli-ping", "text ping me", "pong srv-ping",
			"text frag-1 frag-2 frag-3", `closed 1000 "bye"`},
		"/two": {hello, "text close me", `closed 4001 ""`},
	}
}
