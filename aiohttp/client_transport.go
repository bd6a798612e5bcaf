package aiohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// sessionTransport is the session's http.RoundTripper: one request and its
// response over a pooled connection, on the session's loop.
type sessionTransport struct{ s *Session }

// RoundTrip sends req and returns the response with its head read. From
// a task of the session's loop it suspends the task; from any other
// goroutine it runs the request as a task on that loop and blocks. The
// body is read the same way, with the context of req.
func (t sessionTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if rc, ok := req.Context().Value(requestConfigKey{}).(*requestConfig); ok && rc.replay != nil {
		resp := rc.replay
		rc.replay = nil
		return resp, nil
	}
	return t.s.roundTripWith(req, nil)
}

// roundTripWith is RoundTrip with the request's deadlines given; nil
// takes them from the config a Session put in req's ctx, if any.
func (s *Session) roundTripWith(req *http.Request, dl *deadlines) (*http.Response, error) {
	ctx := req.Context()
	l, err := s.bind(ctx)
	if err != nil {
		closeRequestBody(req)
		return nil, err
	}
	if asyncio.InTask(ctx) {
		return s.roundTrip(ctx, ctx, req, dl)
	}
	wctx, stop := waitable(ctx)
	defer stop()
	return asyncio.SubmitWait(wctx, l, func(tctx context.Context) (*http.Response, error) {
		return s.roundTrip(tctx, ctx, req, dl)
	}, asyncio.Name("aiohttp request"))
}

// waitable returns a ctx that a plain goroutine may wait with, ending with
// ctx: ctx itself, unless it is a task's, which only that task may wait
// with (a goroutine handed a request or a body by a task has it). Call
// stop when done.
func waitable(ctx context.Context) (_ context.Context, stop func()) {
	if asyncio.RunningLoop(ctx) == nil {
		return ctx, func() {}
	}
	w, cancel := context.WithCancelCause(context.Background())
	unhook := context.AfterFunc(ctx, func() { cancel(context.Cause(ctx)) })
	return w, func() {
		unhook()
		cancel(nil)
	}
}

func closeRequestBody(req *http.Request) {
	if req.Body != nil {
		req.Body.Close()
	}
}

// roundTrip runs on the loop, in the task of ctx; bodyCtx is the context
// the response body is read with later. dl, if nil, comes from req's ctx
// (see roundTripWith).
func (s *Session) roundTrip(ctx, bodyCtx context.Context, req *http.Request, dl *deadlines) (*http.Response, error) {
	if dl == nil {
		dl = requestConfigOf(req.Context()).deadlines
	}
	if dl == nil {
		d := newDeadlines(asyncio.RunningLoop(ctx), s.cfg.timeout)
		dl = &d
	}
	s.cfg.trace.requestStart(ctx, req)
	resp, err := s.exchange(ctx, bodyCtx, req, *dl)
	if err != nil {
		s.cfg.trace.requestException(ctx, req, err)
		return nil, err
	}
	s.cfg.trace.requestEnd(ctx, req, resp)
	return resp, nil
}

func (s *Session) exchange(ctx, bodyCtx context.Context, req *http.Request, dl deadlines) (*http.Response, error) {
	defer closeRequestBody(req)
	if req.URL == nil || (req.URL.Scheme != "http" && req.URL.Scheme != "https") {
		return nil, errors.New("aiohttp: unsupported URL scheme")
	}
	spec, absolute, err := s.dialSpec(req, false)
	if err != nil {
		return nil, err
	}
	c, reused, err := s.pool.get(ctx, spec, dl, false)
	if err != nil {
		return nil, err
	}
	resp, err := s.send(ctx, bodyCtx, c, req, dl, absolute, spec.proxyAuth)
	if err != nil && reused && shouldRetry(req, c, err) {
		// The server closed or reset the idle connection as we reused
		// it (aiohttp's ServerDisconnectedError on a pooled
		// connection): send again, once, on a new connection, since
		// the other idle ones may be as stale.
		c.abort()
		retry, rerr := rewindBody(req)
		if rerr != nil {
			return nil, err
		}
		defer closeRequestBody(retry)
		if c, _, err = s.pool.get(ctx, spec, dl, true); err != nil {
			return nil, err
		}
		if resp, err = s.send(ctx, bodyCtx, c, retry, dl, absolute, spec.proxyAuth); err == nil {
			resp.Request = req
		}
	}
	if err != nil {
		c.abort()
		return nil, err
	}
	return resp, nil
}

// shouldRetry reports whether req, which failed with err on a reused
// connection c, may be sent again on a new one, by net/http's rules
// (Transport's shouldRetryRequest): the connection must have been lost
// before any byte of the response arrived, and the server must not have
// acted on the request, as far as the client can tell. That holds if
// nothing of the request was sent; otherwise the method must be
// idempotent, or the request carry an Idempotency-Key. Either way its
// body, if any, must be one that can be had again (GetBody).
func shouldRetry(req *http.Request, c *clientConn, err error) bool {
	if !errors.Is(err, ErrServerDisconnected) || c.answered {
		return false
	}
	if requestHasBody(req) && req.GetBody == nil {
		return false
	}
	if !c.sent {
		return true
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, key := req.Header["Idempotency-Key"]
	_, xkey := req.Header["X-Idempotency-Key"]
	return key || xkey
}

// rewindBody returns req with its body to send again: req itself if it
// has none, else a shallow copy with a new body from GetBody.
func rewindBody(req *http.Request) (*http.Request, error) {
	if !requestHasBody(req) {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, err
	}
	r := *req
	r.Body = body
	return &r, nil
}

// dialSpec says which connection req goes over, and whether its target
// is absolute (to an HTTP proxy). tunnelPlain makes a proxy open a
// CONNECT tunnel for an http URL too, as a WebSocket needs: a proxy that
// forwards requests would not forward the connection once upgraded.
func (s *Session) dialSpec(req *http.Request, tunnelPlain bool) (dialSpec, bool, error) {
	a := s.pool.dialAddrOf(req.URL)
	spec := dialSpec{key: a.key, addr: a.addr}
	if req.URL.Scheme == "https" {
		spec.tls = s.tlsConfig(req.URL.Hostname())
	}
	proxy, err := s.proxyFor(req)
	if err != nil || proxy == nil {
		return spec, false, err
	}
	return s.proxySpec(spec, proxy, tunnelPlain)
}

func (s *Session) tlsConfig(host string) *tls.Config {
	var cfg *tls.Config
	if s.cfg.tls != nil {
		cfg = s.cfg.tls.Clone()
	} else {
		cfg = &tls.Config{}
	}
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	cfg.NextProtos = []string{"http/1.1"}
	return cfg
}

// send writes req over c and reads the response head.
func (s *Session) send(ctx, bodyCtx context.Context, c *clientConn, req *http.Request, dl deadlines, absolute bool, proxyAuth string) (*http.Response, error) {
	l := asyncio.RunningLoop(ctx)
	head := requestHeadBufs.Get().(*[]byte)
	defer requestHeadBufs.Put(head)
	b, addedGzip, err := appendHead((*head)[:0], req, absolute, proxyAuth, !s.cfg.noCompress)
	*head = b
	if err != nil {
		return nil, err
	}
	reqBody := req.Body
	if reqBody == http.NoBody {
		reqBody = nil
	}
	expect := reqBody != nil && strings.EqualFold(req.Header.Get("Expect"), "100-continue")
	if err := c.write(ctx, b, dl.total); err != nil {
		return nil, err
	}
	if reqBody != nil && (!expect || s.cfg.expectContinue <= 0) {
		expect = false
		if err := writeBody(ctx, c, req, dl); err != nil {
			return nil, err
		}
	}
	if expect {
		// Wait for the server's 100 Continue, or its final answer, no
		// longer than ExpectContinueTimeout: a server or a proxy that
		// knows nothing of Expect would never send one (aiohttp waits
		// for it forever). Then send the body anyway, as net/http does.
		by, _ := dl.after(l, dl.timeouts.SockRead, "sock_read")
		if at := l.Time() + s.cfg.expectContinue; at < by {
			err := c.waitData(ctx, len(c.data()), at, expectContinueKind)
			if te := (*TimeoutError)(nil); errors.As(err, &te) && te.Kind == expectContinueKind {
				expect = false
				err = writeBody(ctx, c, req, dl)
			}
			if err != nil {
				return nil, err
			}
		}
	}
	// The connection's head is reused request after request, so that
	// its header slice is not allocated again.
	rh := &c.head
	for {
		if err := readHead(ctx, c, rh, dl, l); err != nil {
			return nil, err
		}
		if rh.StatusCode >= 200 || rh.StatusCode == 101 {
			break
		}
		if rh.StatusCode == 100 && expect {
			expect = false
			if err := writeBody(ctx, c, req, dl); err != nil {
				return nil, err
			}
		}
		c.consume(rh.headLen)
	}
	if expect {
		// The server answered without wanting the body: the connection
		// cannot carry the next request with an unsent body announced.
		req.Close = true
	}
	return s.newResponse(bodyCtx, c, req, rh, dl, addedGzip)
}

// expectContinueKind is the kind of the timeout, never returned, that
// ends the wait for a 100 Continue.
const expectContinueKind = "expect_continue"

// maxResponseHead bounds a response head. It stays below the point at
// which a connection stops reading (pauseAt), which a head must reach
// whole.
const maxResponseHead = pauseAt / 2

// readHead waits until c holds a whole response head and parses it.
func readHead(ctx context.Context, c *clientConn, rh *parsedHead, dl deadlines, l *asyncio.Loop) error {
	for {
		n, err := rh.Parse(c.data(), http1.Limits{MaxHeaderBytes: maxResponseHead})
		if err == nil {
			rh.headLen = n
			return nil
		}
		if err != http1.ErrIncomplete {
			return &ProtocolError{Err: err}
		}
		if c.atEnd() {
			if c.closed && c.lost != io.EOF {
				return &ServerDisconnectedError{Err: c.lost}
			}
			return ErrServerDisconnected
		}
		by, kind := dl.after(l, dl.timeouts.SockRead, "sock_read")
		if err := c.waitData(ctx, len(c.data()), by, kind); err != nil {
			return err
		}
	}
}

// parsedHead is a parsed response head and its length in the buffer.
type parsedHead struct {
	http1.Response
	headLen int
}
