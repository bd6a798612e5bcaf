package aiohttp_test

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// The hostile tests talk raw TCP to the server: requests built to smuggle
// a second request past it, broken framing, oversized heads, a slowloris
// crowd, a pipelined flood and connections reset in the middle of a body.
// Each is answered with the right status or a closed connection, and
// serveChecked checks that no task, goroutine or file descriptor is left.

// smuggled is the request the smuggling tests hide where a server that
// misreads the framing would take it for the next request.
const smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"

// pathCounter is a handler that counts its calls by path, reads the body
// (except at /ignore) and answers with the body's length, or 400 with the
// error the body's Read returned.
type pathCounter struct {
	mu      sync.Mutex
	calls   map[string]int
	bodyErr map[string]error
}

func (p *pathCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	if p.calls == nil {
		p.calls, p.bodyErr = map[string]int{}, map[string]error{}
	}
	p.calls[r.URL.Path]++
	p.mu.Unlock()
	if r.URL.Path == "/ignore" {
		io.WriteString(w, "ignored")
		return
	}
	b, err := io.ReadAll(r.Body)
	if err != nil {
		p.mu.Lock()
		p.bodyErr[r.URL.Path] = err
		p.mu.Unlock()
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	io.WriteString(w, "body "+strconv.Itoa(len(b))+": "+string(b))
}

// count returns how many times path was served.
func (p *pathCounter) count(path string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[path]
}

// refused reads the one response the server sends on c and checks it has
// the status code and that the server then closes the connection.
func refused(t *testing.T, name string, c *rawConn, code int) {
	t.Helper()
	resp, err := http.ReadResponse(c.r, nil)
	if err != nil {
		t.Errorf("%s: no response: %v", name, err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != code {
		t.Errorf("%s: status %d, want %d", name, resp.StatusCode, code)
	}
	if !resp.Close {
		t.Errorf("%s: the response does not say Connection: close", name)
	}
	expectClosed(t, name, c)
}

// expectClosed checks that the server closes c with nothing more sent.
func expectClosed(t *testing.T, name string, c *rawConn) {
	t.Helper()
	rest, err := io.ReadAll(c.r)
	if err != nil && !isConnEnd(err) {
		t.Errorf("%s: after the response: %v", name, err)
	}
	if len(rest) > 0 {
		t.Errorf("%s: after the response, the server sent %q", name, rest)
	}
}

func TestHostileSmuggling(t *testing.T) {
	post := "POST / HTTP/1.1\r\nHost: x\r\n"
	// A chunked body that carries the smuggled request as its data, and
	// a body that is the smuggled request after an empty chunked body:
	// whichever framing a server picks, one reading sees a second request.
	chunkedCarrier := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)
	emptyThenSmuggled := "0\r\n\r\n" + smuggled
	cases := []struct {
		name, req string
		code      int
	}{
		{"CL.TE", post + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n" + emptyThenSmuggled, 400},
		{"TE.CL", post + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" + chunkedCarrier, 400},
		{"TE xchunked", post + "Transfer-Encoding: xchunked\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE xchunked with CL", post + "Content-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\n" + emptyThenSmuggled, 400},
		{"TE ' chunked' with CL", post + "Content-Length: 4\r\nTransfer-Encoding:  chunked\r\n\r\n" + chunkedCarrier, 400},
		{"TE chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE identity, chunked", post + "Transfer-Encoding: identity, chunked\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE tab with CL", post + "Content-Length: 4\r\nTransfer-Encoding:\tchunked\r\n\r\n" + chunkedCarrier, 400},
		{"TE space before colon", post + "Transfer-Encoding : chunked\r\n\r\n" + emptyThenSmuggled, 400},
		{"TE space before colon with CL", post + "Transfer-Encoding : chunked\r\nContent-Length: 4\r\n\r\n" + chunkedCarrier, 400},
		{"TE twice, differing", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE twice, differing, reversed", post + "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE twice, same", post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n" + emptyThenSmuggled, 501},
		{"TE in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + emptyThenSmuggled, 400},
		{"TE in HTTP/1.0 with CL", "POST / HTTP/1.0\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedCarrier, 400},
		{"TE with a vertical tab", post + "Transfer-Encoding: \vchunked\r\n\r\n" + emptyThenSmuggled, 400},
		{"TE with a NUL", post + "Transfer-Encoding: chunked\x00\r\n\r\n" + emptyThenSmuggled, 400},
		{"CL twice, differing", post + "Content-Length: 5\r\nContent-Length: 0\r\n\r\n" + smuggled, 400},
		{"CL list", post + "Content-Length: 0, 5\r\n\r\n" + smuggled, 400},
		{"CL +5", post + "Content-Length: +5\r\n\r\nhello" + smuggled, 400},
		{"CL -1", post + "Content-Length: -1\r\n\r\n" + smuggled, 400},
		{"CL 0x10", post + "Content-Length: 0x10\r\n\r\n0123456789abcdef" + smuggled, 400},
		{"CL 1e1", post + "Content-Length: 1e1\r\n\r\n0123456789" + smuggled, 400},
		{"CL overflow", post + "Content-Length: 99999999999999999999\r\n\r\n" + smuggled, 400},
		{"CL empty", post + "Content-Length: \r\n\r\n" + smuggled, 400},
	}
	var h pathCounter
	serveChecked(t, &h, nil, false, func(s served) {
		for _, tc := range cases {
			c := dialRaw(t, s.addr)
			c.send(tc.req)
			refused(t, tc.name, c, tc.code)
			c.Close()
		}
	})
	if n := h.count("/smuggled"); n != 0 {
		t.Errorf("the smuggled request reached the handler %d times", n)
	}
	if n := h.count("/"); n != 0 {
		t.Errorf("the refused requests reached the handler %d times", n)
	}
}

// Framings the server accepts carry the would-be smuggled request as the
// body, where a handler reads it as data; it is never served.
func TestHostileSmugglingAcceptedFramings(t *testing.T) {
	post := "POST / HTTP/1.1\r\nHost: x\r\n"
	chunkedCarrier := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)
	cases := []struct{ name, req string }{
		{"Content-Length", post + "Content-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled},
		{"CL twice, same", post + "Content-Length: " + strconv.Itoa(len(smuggled)) + "\r\nContent-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled},
		{"chunked", post + "Transfer-Encoding: chunked\r\n\r\n" + chunkedCarrier},
		{"TE ' chunked'", post + "Transfer-Encoding:  chunked\r\n\r\n" + chunkedCarrier},
		{"TE tab", post + "Transfer-Encoding:\tchunked\r\n\r\n" + chunkedCarrier},
		{"TE Chunked", post + "Transfer-Encoding: Chunked\r\n\r\n" + chunkedCarrier},
	}
	var h pathCounter
	serveChecked(t, &h, nil, false, func(s served) {
		for _, tc := range cases {
			c := dialRaw(t, s.addr)
			// The request, then a second one on the kept connection.
			c.send(tc.req + "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			resp, body := c.response("POST")
			if resp == nil || resp.StatusCode != 200 || body != "body "+strconv.Itoa(len(smuggled))+": "+smuggled {
				t.Errorf("%s: got %v %q, want 200 with the smuggled request as the body", tc.name, resp, body)
			}
			if resp, body := c.response("GET"); resp == nil || body != "body 0: " {
				t.Errorf("%s: the request after: %v %q", tc.name, resp, body)
			}
			expectClosed(t, tc.name, c)
			c.Close()
		}
	})
	if n := h.count("/smuggled"); n != 0 {
		t.Errorf("the smuggled request reached the handler %d times", n)
	}
	if n, want := h.count("/after"), len(cases); n != want {
		t.Errorf("the requests after were served %d times, want %d", n, want)
	}
}

// A body the handler leaves unread is dropped by the server, framed as
// its head says: a request hidden in it is never served, and the next
// request is.
func TestHostileSmugglingUnreadBody(t *testing.T) {
	chunkedCarrier := fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)
	cases := []struct {
		name, req string
		// closes: the server closes the connection rather than read the
		// body, as net/http does after an Expect: 100-continue it did not
		// answer, since the client may never send the body.
		closes bool
	}{
		{"GET with Content-Length", "GET /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled, false},
		{"POST with Content-Length", "POST /ignore HTTP/1.1\r\nHost: x\r\nContent-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled, false},
		{"POST chunked", "POST /ignore HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunkedCarrier, false},
		{"POST with Expect", "POST /ignore HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled, true},
	}
	var h pathCounter
	serveChecked(t, &h, nil, false, func(s served) {
		for _, tc := range cases {
			c := dialRaw(t, s.addr)
			c.send(tc.req + "GET /after HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			resp, body := c.response("POST")
			if resp == nil || resp.StatusCode != 200 || body != "ignored" {
				t.Errorf("%s: got %v %q, want the handler's 200", tc.name, resp, body)
			}
			if tc.closes {
				if resp != nil && !resp.Close {
					t.Errorf("%s: the response does not say Connection: close", tc.name)
				}
			} else if resp, body := c.response("GET"); resp == nil || body != "body 0: " {
				t.Errorf("%s: the request after: %v %q", tc.name, resp, body)
			}
			expectClosed(t, tc.name, c)
			c.Close()
		}
	})
	if n := h.count("/smuggled"); n != 0 {
		t.Errorf("the smuggled request reached the handler %d times", n)
	}
	if n, want := h.count("/after"), len(cases)-1; n != want {
		t.Errorf("the requests after were served %d times, want %d", n, want)
	}
}

func TestHostileBadChunks(t *testing.T) {
	manyExtensions := strings.Repeat("1;"+strings.Repeat("e", 100)+"\r\nx\r\n", 500)
	cases := []struct{ name, body string }{
		{"non-hex size", "zz\r\nhello\r\n0\r\n\r\n"},
		{"size with 0x", "0x5\r\nhello\r\n0\r\n\r\n"},
		{"negative size", "-5\r\nhello\r\n0\r\n\r\n"},
		{"empty size", "\r\nhello\r\n0\r\n\r\n"},
		{"missing CRLF after data", "5\r\nhelloXX0\r\n\r\n"},
		{"LF alone after data", "5\r\nhello\n0\r\n\r\n"},
		{"size overflow", "1ffffffffffffffff\r\nhello\r\n0\r\n\r\n"},
		{"bare LF after size", "5\nhello\r\n0\r\n\r\n"},
		{"bare LF after last chunk", "5\r\nhello\r\n0\n\r\n"},
		{"bare CR in size line", "5\rX\r\nhello\r\n0\r\n\r\n"},
		{"long extension", "5;" + strings.Repeat("e", 5000) + "\r\nhello\r\n0\r\n\r\n"},
		{"extensions outweighing data", manyExtensions + "0\r\n\r\n"},
		{"bare LF in trailer", "5\r\nhello\r\n0\r\nX: y\n\r\n"},
		{"obs-fold in trailer", "5\r\nhello\r\n0\r\nX: y\r\n z\r\n\r\n"},
	}
	var h pathCounter
	serveChecked(t, &h, nil, false, func(s served) {
		for _, tc := range cases {
			for _, path := range []string{"/", "/ignore"} {
				name := tc.name + " at " + path
				c := dialRaw(t, s.addr)
				c.send("POST " + path + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + tc.body + smuggled)
				resp, body := c.response("POST")
				switch {
				case resp == nil:
				case path == "/" && resp.StatusCode != 400:
					t.Errorf("%s: status %d %q, want 400 from the handler's failed read", name, resp.StatusCode, body)
				case path == "/ignore" && resp.StatusCode != 200:
					t.Errorf("%s: status %d, want the handler's 200", name, resp.StatusCode)
				}
				// The connection cannot go on past a body it cannot
				// frame: it is closed, the smuggled request unserved.
				expectClosed(t, name, c)
				c.Close()
			}
		}
	})
	if n := h.count("/smuggled"); n != 0 {
		t.Errorf("the smuggled request reached the handler %d times", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if n := h.calls["/"]; n != len(cases) {
		t.Errorf("the reading handler ran %d times, want %d", n, len(cases))
	}
	if h.bodyErr["/"] == nil {
		t.Error("no body's Read failed")
	}
}

func TestHostileHeads(t *testing.T) {
	bigHeader := "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("a", 1<<20) + "\r\n\r\n"
	// A megabyte of head in lines short enough to pass, but too many.
	var bigHead strings.Builder
	bigHead.WriteString("GET / HTTP/1.1\r\nHost: x\r\n")
	for i := 0; bigHead.Len() < 1<<20; i++ {
		fmt.Fprintf(&bigHead, "X-%d: %s\r\n", i, strings.Repeat("b", 8000))
	}
	bigHead.WriteString("\r\n")
	var manyHeaders strings.Builder
	manyHeaders.WriteString("GET / HTTP/1.1\r\nHost: x\r\n")
	for i := range 10000 {
		fmt.Fprintf(&manyHeaders, "X-%d: y\r\n", i)
	}
	manyHeaders.WriteString("\r\n")
	cases := []struct {
		name, req string
		opts      []aiohttp.ServerOption
		code      int
	}{
		{"a 1 MiB header", bigHeader, nil, 431},
		{"a 1 MiB head", bigHead.String(), nil, 431},
		{"a 1 MiB head, lines and count allowed", bigHead.String(), []aiohttp.ServerOption{aiohttp.MaxHeaders(1000)}, 431},
		{"10,000 headers", manyHeaders.String(), nil, 431},
		{"10,000 headers, more than MaxHeaderBytes", manyHeaders.String(), []aiohttp.ServerOption{aiohttp.MaxHeaders(20000), aiohttp.MaxHeaderBytes(64 << 10)}, 431},
		{"an over-long request line", "GET /" + strings.Repeat("a", 100<<10) + " HTTP/1.1\r\nHost: x\r\n\r\n", nil, 414},
		{"an over-long method", strings.Repeat("G", 10<<10) + " / HTTP/1.1\r\nHost: x\r\n\r\n", nil, 414},
		{"bare CR in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", nil, 400},
		{"bare CR ending a line", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\r\n\r\n", nil, 400},
		{"bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: x\r\n\r\n", nil, 400},
		{"obs-fold", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", nil, 400},
		{"obs-fold by tab", "GET / HTTP/1.1\r\nHost: x\r\nX: a\r\n\tb\r\n\r\n", nil, 400},
		{"obs-fold of the first header", "GET / HTTP/1.1\r\n Host: x\r\n\r\n", nil, 400},
		{"NUL in a value", "GET / HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", nil, 400},
	}
	var h pathCounter
	for _, tc := range cases {
		serveChecked(t, &h, tc.opts, false, func(s served) {
			c := dialRaw(t, s.addr)
			defer c.Close()
			// The server may refuse a head before it is all sent, and
			// close: the write then fails, which is the point.
			wrote := make(chan struct{})
			go func() {
				defer close(wrote)
				io.WriteString(c.Conn, tc.req)
			}()
			refused(t, tc.name, c, tc.code)
			c.Close()
			<-wrote
		})
	}
	if n := h.count("/"); n != 0 {
		t.Errorf("refused heads reached the handler %d times", n)
	}
}

func TestHostileSlowloris(t *testing.T) {
	n := 500
	// Each stalled connection takes a descriptor here and one in the
	// server, both in this process.
	if limit := fdLimit(); limit > 0 && 2*n+200 > limit {
		n = (limit - 200) / 2
		t.Logf("the fd limit is %d (ulimit -n): %d stalled connections instead of 500", limit, n)
		if n < 10 {
			t.Skip("too few file descriptors for a slowloris test")
		}
	}
	// The head timeout leaves time to open the stalled connections and
	// serve normal requests among them before the first stalled one ends.
	const headTimeout = time.Second
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "served") })
	opts := []aiohttp.ServerOption{aiohttp.ReadHeaderTimeout(headTimeout)}
	serveChecked(t, h, opts, false, func(s served) {
		start := time.Now()
		var closed atomic.Int32
		var firstEnd atomic.Int64 // ns since start of the first stalled connection's end
		firstEnd.Store(1 << 62)
		var wg sync.WaitGroup
		allClosed := make(chan struct{})
		var statuses sync.Map
		for i := range n {
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Errorf("connection %d: %v", i, err)
				break
			}
			c.SetDeadline(time.Now().Add(20 * time.Second))
			// Part of a head, different parts for different
			// connections, then nothing.
			parts := []string{"G", "GET / HTT", "GET / HTTP/1.1\r\n", "GET / HTTP/1.1\r\nHost: x\r\n", "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: yes"}
			io.WriteString(c, parts[i%len(parts)])
			wg.Add(1)
			// The reader of a stalled connection ends when the server
			// closes it (or at its deadline).
			go func() {
				defer wg.Done()
				defer c.Close()
				r := bufio.NewReader(c)
				resp, err := http.ReadResponse(r, nil)
				status := 0
				if err == nil {
					status = resp.StatusCode
					io.Copy(io.Discard, resp.Body)
					_, err = r.ReadByte()
				}
				if !isConnEnd(err) {
					t.Errorf("a stalled connection: %v, want it closed", err)
				}
				statuses.Store(status, true)
				ns := time.Since(start).Nanoseconds()
				for {
					old := firstEnd.Load()
					if ns >= old || firstEnd.CompareAndSwap(old, ns) {
						break
					}
				}
				closed.Add(1)
			}()
		}
		go func() { wg.Wait(); close(allClosed) }()
		dialed := time.Since(start)
		t.Logf("%d connections stalled in %v", n, dialed)

		// While they are stalled, normal clients are served promptly.
		c, closeIdle := goClient(nil)
		var slowest time.Duration
		for i := range 10 {
			t0 := time.Now()
			resp, body := get(t, c, s.url+"/")
			d := time.Since(t0)
			slowest = max(slowest, d)
			if resp == nil || body != "served" {
				t.Errorf("request %d: %v %q", i, resp, body)
			}
		}
		closeIdle()
		servedAt := time.Since(start)
		stillStalled := int(int32(n) - closed.Load())
		t.Logf("10 requests served among the stalled, the slowest in %v, %v after the first stall; %d of %d still stalled then",
			slowest, servedAt, stillStalled, n)
		if slowest > headTimeout/2 {
			t.Errorf("a request took %v among %d stalled connections", slowest, n)
		}
		// The normal requests were served while every stalled
		// connection was still open, unless this machine took so long
		// to open them that the first ones timed out meanwhile.
		if dialed < headTimeout/2 && (stillStalled != n || time.Duration(firstEnd.Load()) < servedAt) {
			t.Errorf("only %d of %d connections were still stalled when the normal requests were served", stillStalled, n)
		}

		// The stalled connections get 408 and are closed.
		select {
		case <-allClosed:
		case <-time.After(15 * time.Second):
			t.Errorf("after 15 s, %d of %d stalled connections are still open", int32(n)-closed.Load(), n)
			return
		}
		if d := time.Duration(firstEnd.Load()); d < headTimeout {
			t.Errorf("the first stalled connection was closed after %v, before the head timeout of %v", d, headTimeout)
		}
		statuses.Range(func(k, _ any) bool {
			if k.(int) != http.StatusRequestTimeout {
				t.Errorf("a stalled connection got status %d, want 408", k)
			}
			return true
		})
		t.Logf("all %d stalled connections closed %v after the start", n, time.Since(start))
	})
}

// A flood of pipelined requests is answered in order, and the server does
// not buffer it: while the first request's handler waits, the server stops
// reading once it holds a bounded amount, and the client's socket sees the
// server's receive window close, with the server's memory not grown by the
// megabytes of requests still unread.
func TestHostilePipelinedFlood(t *testing.T) {
	const n = 10000
	padding := strings.Repeat("p", 2000) // 20 MB of requests in all
	var handled atomic.Int64
	firstWaits := make(chan struct{})
	release := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handled.Add(1)
		seq := strings.TrimPrefix(r.URL.Path, "/")
		if seq == "0" {
			close(firstWaits)
			recvCtx(r, release) // a wait of the task: the loop runs on
		}
		w.Header().Set("X-Seq", seq)
		io.WriteString(w, seq)
	})
	serveChecked(t, h, nil, false, func(s served) {
		var reqs strings.Builder
		for i := range n {
			fmt.Fprintf(&reqs, "GET /%d HTTP/1.1\r\nHost: x\r\nX-Padding: %s\r\n\r\n", i, padding)
		}
		all := reqs.String()
		c := dialRaw(t, s.addr)
		defer c.Close()
		base := liveHeap()
		wrote := make(chan error, 1)
		go func() {
			_, err := io.WriteString(c.Conn, all)
			wrote <- err
		}()
		<-firstWaits
		var writeErr error
		writeDone := false
		if sendWindow(t, c.Conn) < 0 {
			t.Log("no TCP_INFO here: the flood's memory bound is not checked")
		} else {
			writeDone, writeErr = floodWhilePending(t, c.Conn, wrote, base, len(all))
			if handled.Load() != 1 {
				t.Errorf("%d requests handled while the first was pending, want 1 (in order)", handled.Load())
			}
		}
		close(release)

		for i := range n {
			resp, body := c.response("GET")
			if resp == nil {
				return
			}
			if want := strconv.Itoa(i); resp.Header.Get("X-Seq") != want || body != want {
				t.Errorf("response %d: X-Seq %q, body %q", i, resp.Header.Get("X-Seq"), body)
				return
			}
		}
		if !writeDone {
			writeErr = <-wrote
		}
		if writeErr != nil {
			t.Error(writeErr)
		}
	})
	if got := handled.Load(); got != n {
		t.Errorf("%d requests handled, want %d", got, n)
	}
}

// floodWhilePending waits, while the first request of a flood is pending,
// until the server stops reading (its receive window, as c sees it,
// closes) or has read everything (the write reports on wrote), then checks
// that the server's live heap has not grown by the megabytes of the flood
// since base. It returns whether the write is done, and its error.
func floodWhilePending(t *testing.T, c net.Conn, wrote <-chan error, base int64, size int) (bool, error) {
	t.Helper()
	var writeErr error
	writeDone, windowClosed := false, false
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(15 * time.Second)
	for !writeDone && !windowClosed {
		select {
		case writeErr = <-wrote:
			writeDone = true
		case <-tick.C:
			windowClosed = sendWindow(t, c) == 0
		case <-deadline:
			t.Error("after 15 s, the server neither closed its receive window nor read the flood")
			return false, nil
		}
	}
	grew := liveHeap() - base
	t.Logf("with the first request pending: window closed %v, flood all written %v; live heap grew by %d KiB for %d KiB of requests",
		windowClosed, writeDone, grew>>10, size>>10)
	if grew > 4<<20 {
		t.Errorf("the live heap grew by %d KiB: the server buffered the flood", grew>>10)
	}
	return writeDone, writeErr
}

// liveHeap returns the bytes of live heap objects, after a collection.
func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// handlerKinds are the two ways a handler runs: as the request's task, and
// on the executor (Threaded), whose calls to the connection go through the
// loop.
var handlerKinds = []struct {
	name string
	wrap func(http.Handler) http.Handler
}{
	{"task", func(h http.Handler) http.Handler { return h }},
	{"Threaded", aiohttp.Threaded},
}

func TestHostileResetMidRequestBody(t *testing.T) {
	for _, wrap := range handlerKinds {
		t.Run(wrap.name, func(t *testing.T) { testHostileResetMidRequestBody(t, wrap.wrap) })
	}
}

func testHostileResetMidRequestBody(t *testing.T, wrap func(http.Handler) http.Handler) {
	type outcome struct {
		readErr, ctxErr error
		read            int64
	}
	reading := make(chan struct{})
	var readingOnce sync.Once
	ended := make(chan outcome, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o outcome
		defer func() { ended <- o }()
		buf := make([]byte, 32<<10)
		for {
			k, err := r.Body.Read(buf)
			o.read += int64(k)
			if o.read > 0 {
				readingOnce.Do(func() { close(reading) })
			}
			if err != nil {
				o.readErr = err
				break
			}
		}
		o.ctxErr = r.Context().Err()
		// The connection is gone: writing fails too, without harm.
		if _, err := w.Write([]byte("late")); err == nil {
			w.(http.Flusher).Flush()
		}
	})
	serveChecked(t, wrap(h), nil, false, func(s served) {
		c := dialRaw(t, s.addr)
		c.send("POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n" + strings.Repeat("d", 100<<10))
		<-reading
		resetClose(t, c.Conn)
		o := <-ended
		if o.readErr == nil || errors.Is(o.readErr, io.EOF) {
			t.Errorf("after %d bytes, the body's Read returned %v, want an error of a lost connection", o.read, o.readErr)
		}
		if o.ctxErr == nil {
			t.Error("the request's ctx was not done once its connection was reset")
		}
		t.Logf("the handler read %d bytes, then %v; ctx: %v", o.read, o.readErr, o.ctxErr)
	})
}

func TestHostileResetMidResponse(t *testing.T) {
	for _, wrap := range handlerKinds {
		t.Run(wrap.name, func(t *testing.T) { testHostileResetMidResponse(t, wrap.wrap) })
	}
}

func testHostileResetMidResponse(t *testing.T, wrap func(http.Handler) http.Handler) {
	type outcome struct {
		writeErr, ctxErr error
		written          int64
	}
	ended := make(chan outcome, 1)
	chunk := make([]byte, 64<<10)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var o outcome
		defer func() { ended <- o }()
		for o.written < 1<<30 {
			k, err := w.Write(chunk)
			o.written += int64(k)
			if err != nil {
				o.writeErr = err
				break
			}
		}
		o.ctxErr = r.Context().Err()
	})
	serveChecked(t, wrap(h), nil, false, func(s served) {
		c := dialRaw(t, s.addr)
		c.send("GET /big HTTP/1.1\r\nHost: x\r\n\r\n")
		// Read a part of the response, then reset.
		if _, err := io.ReadFull(c.r, make([]byte, 256<<10)); err != nil {
			t.Error(err)
		}
		resetClose(t, c.Conn)
		o := <-ended
		if o.writeErr == nil {
			t.Errorf("the handler wrote %d bytes without an error", o.written)
		}
		if o.ctxErr == nil {
			t.Error("the request's ctx was not done once its connection was reset")
		}
		t.Logf("the handler wrote %d bytes, then %v; ctx: %v", o.written, o.writeErr, o.ctxErr)
	})
}

// A reset while the handler waits on something other than the connection
// (a sleep of an hour on the loop) ends the wait: the handler learns of
// the lost client from its ctx.
func TestHostileResetWhileHandlerWaits(t *testing.T) {
	waiting := make(chan struct{})
	ended := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(waiting)
		ended <- asyncio.Sleep(r.Context(), time.Hour)
	})
	serveChecked(t, h, nil, false, func(s served) {
		c := dialRaw(t, s.addr)
		c.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n")
		<-waiting
		resetClose(t, c.Conn)
		if err := <-ended; err == nil {
			t.Error("the handler's wait ended without an error")
		} else {
			t.Logf("the handler's wait ended with %v", err)
		}
	})
}

// A storm of connections reset at every stage (before sending anything,
// mid-head, mid-body, right after a whole request) leaves nothing behind,
// over TLS too (resets mid-handshake), and the server serves on.
func TestHostileResetStorm(t *testing.T) {
	for _, useTLS := range []bool{false, true} {
		name := "TCP"
		if useTLS {
			name = "TLS"
		}
		t.Run(name, func(t *testing.T) { testHostileResetStorm(t, useTLS) })
	}
}

func testHostileResetStorm(t *testing.T, useTLS bool) {
	const n = 200
	var opts []aiohttp.ServerOption
	var clientTLS *tls.Config
	if useTLS {
		cert, pool := selfSigned(t)
		opts = append(opts, aiohttp.TLS(&tls.Config{Certificates: []tls.Certificate{cert}}))
		clientTLS = &tls.Config{RootCAs: pool, ServerName: "127.0.0.1"}
	}
	var h pathCounter
	stages := []string{
		"",
		"GET / HT",
		"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npart of a body",
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
	}
	serveChecked(t, &h, opts, useTLS, func(s served) {
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := net.Dial("tcp", s.addr)
				if err != nil {
					t.Error(err)
					return
				}
				stage := stages[i%len(stages)]
				var conn net.Conn = c
				if useTLS && i%8 != 0 { // every eighth resets mid-handshake
					tc := tls.Client(c, clientTLS)
					tc.SetDeadline(time.Now().Add(20 * time.Second))
					if err := tc.Handshake(); err != nil {
						t.Error(err)
					}
					conn = tc
				}
				if stage != "" {
					io.WriteString(conn, stage)
				}
				resetClose(t, c)
			}()
		}
		wg.Wait()
		c, closeIdle := goClient(nil)
		if useTLS {
			c, closeIdle = goClient(&http.Transport{TLSClientConfig: clientTLS})
		}
		defer closeIdle()
		if resp, body := get(t, c, s.url+"/ok"); resp == nil || body != "body 0: " {
			t.Errorf("after the storm: %v %q", resp, body)
		}
	})
}
