package aiohttp

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// peer is the client's end of an in-memory connection: it records what
// the server sends.
type peer struct {
	asyncio.BaseProtocol
	got  bytes.Buffer
	made *asyncio.Event
	lost *asyncio.Event
}

func (p *peer) ConnectionMade(asyncio.Transport) { p.made.Set() }
func (p *peer) DataReceived(b []byte)            { p.got.Write(b) }
func (p *peer) EOFReceived() bool                { return false }
func (p *peer) ConnectionLost(error)             { p.lost.Set() }

// servePipe serves h on a new server, named name, over one in-memory
// connection, and returns the client's end once it is connected.
func servePipe(ctx context.Context, name string, h http.Handler) (asyncio.Transport, *peer, *Server, error) {
	s := newServer(ctx, name, h, newServerConfig(nil))
	p := &peer{made: asyncio.NewEvent(), lost: asyncio.NewEvent()}
	ct, _, err := simnet.Pipe(ctx, p, s.newConn())
	if err != nil {
		return nil, nil, nil, err
	}
	if err := p.made.Wait(ctx); err != nil {
		return nil, nil, nil, err
	}
	return ct, p, s, nil
}

// FuzzServerConn feeds a connection arbitrary bytes, then the end of the
// stream, over an in-memory transport on a virtual clock: whatever comes,
// the server answers with HTTP responses or nothing, closes the connection,
// and is left with no task and no connection.
func FuzzServerConn(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcGET /q HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTrailer: T\r\n\r\n3\r\nabc\r\n0\r\nT: v\r\n\r\n",
		"POST /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nhi",
		"GET /flush HTTP/1.0\r\nConnection: keep-alive\r\n\r\nHEAD / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
		"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		"\x00garbage\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/flush" {
			w.Write(b)
			w.(http.Flusher).Flush()
		}
		w.Write([]byte(r.URL.Path))
	})
	f.Fuzz(func(t *testing.T, in []byte) {
		asynciotest.Run(t, func(ctx context.Context) error {
			ct, p, s, err := servePipe(ctx, "fuzz", h)
			if err != nil {
				return err
			}
			ct.Write(in)
			ct.WriteEOF()
			if err := asyncio.Timeout(ctx, time.Minute, p.lost.Wait); err != nil {
				t.Fatalf("the connection did not end: %v; sent %q", err, p.got.Bytes())
			}
			// Let the server's side finish its callbacks and tasks.
			if err := asyncio.Sleep(ctx, time.Millisecond); err != nil {
				return err
			}
			if s.tasks != 0 || len(s.conns) != 0 {
				t.Fatalf("%d tasks and %d connections left", s.tasks, len(s.conns))
			}
			out := p.got.Bytes()
			if len(out) > 0 && !bytes.HasPrefix(out, []byte("HTTP/1.")) {
				t.Fatalf("the server sent %q", out)
			}
			// What was sent reads as whole responses (a HEAD response's
			// framing needs the request to read, so those are left out).
			if !bytes.Contains(in, []byte("HEAD")) {
				br := bufio.NewReader(bytes.NewReader(out))
				for {
					if _, err := br.Peek(1); err == io.EOF {
						break
					}
					resp, err := http.ReadResponse(br, nil)
					if err != nil {
						t.Fatalf("reading the responses %q: %v", out, err)
					}
					if _, err := io.Copy(io.Discard, resp.Body); err != nil {
						t.Fatalf("reading a body in %q: %v", out, err)
					}
				}
			}
			return nil
		})
	})
}
