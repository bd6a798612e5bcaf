package aiohttp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/asyncio-go/asyncio"
)

// A Session makes HTTP/1.1 requests over a pool of keep-alive connections
// on an asyncio loop (aiohttp.ClientSession with its TCPConnector).
//
// A session belongs to the loop of the first request made from one of its
// tasks; its connections, timers and state live on that loop. A request
// made from a task of the loop suspends the task while it waits; a request
// made from any other goroutine runs as a task on the loop and blocks the
// goroutine. Reading a response body follows the same rule. So a session
// serves tasks and ordinary goroutines alike, and Transport makes it the
// http.RoundTripper of an *http.Client, or of any Go library that takes
// one.
//
// Connections are reused while their responses are read to the end; the
// pool bounds them in total (Limit) and per host (LimitPerHost), closes
// idle ones after KeepAliveTimeout, and a task that waits for a free one
// is suspended, in line: each freed connection goes to the request that
// has waited longest. A server may close an idle connection just as it
// is reused; a request that loses its reused connection so, before any
// byte of the response, is sent again once on a new connection when
// net/http would retry it (a GET, HEAD, OPTIONS or TRACE, or a request
// with an Idempotency-Key, whose body can be had again; or one of which
// nothing was sent), instead of failing with ErrServerDisconnected as
// aiohttp does. Host names are resolved off the loop and cached for
// TTLDNSCache. A cancelled request aborts its connection, as does a body
// released before its end. Timeouts (ClientTimeout) run on the loop's
// clock and fail with errors satisfying errors.Is(err, ErrTimeout). Tests
// may use a virtual clock, remembering that it jumps to the next timer
// whenever the loop waits only for I/O: a test whose peer is real should
// have no timer but the ones it tests (Timeout(ClientTimeout{}) removes the
// default total). Redirects and cookies follow net/http's
// rules: Do runs an http.Client over the session's transport, with a
// cookie jar. Responses compressed with gzip or deflate are decoded unless
// the request asked for an encoding itself.
//
// Close the session when done: Close aborts its connections and waits
// until they are gone. A session dropped without Close leaks nothing for
// long: once the garbage collector finds it unreachable, its connections
// are aborted and the loop's exception handler is told, with
// ErrUnclosedSession, as asyncio reports an unclosed transport (aiohttp
// says "Unclosed client session"); closing the loop closes them too.
type Session struct {
	cfg    *sessionConfig
	client *http.Client

	mu     sync.Mutex // guards loop and closed, set from any goroutine
	loop   *asyncio.Loop
	closed bool
	pool   *pool // made with loop; used only on it
}

// NewSession returns a session with the options given (aiohttp's
// ClientSession()).
func NewSession(opts ...SessionOption) *Session {
	s := &Session{cfg: newSessionConfig(opts)}
	s.client = &http.Client{Transport: sessionTransport{s}, Jar: s.cfg.jar, CheckRedirect: s.checkRedirect}
	return s
}

// Transport returns the session as an http.RoundTripper, for an
// http.Client or a library that takes one. It goes through the session's
// pool and timeouts, but neither follows redirects nor keeps cookies:
// that is the client's part.
func (s *Session) Transport() http.RoundTripper { return sessionTransport{s} }

// bind returns the session's loop, binding it to the loop of ctx's task
// on first use.
func (s *Session) bind(ctx context.Context) (*asyncio.Loop, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrSessionClosed
	}
	if asyncio.InTask(ctx) {
		l := asyncio.RunningLoop(ctx)
		switch {
		case s.loop == nil:
			s.loop = l
			s.pool = newPool(l, s.cfg)
			watchUnclosed(s, l, s.pool)
		case s.loop != l:
			return nil, ErrOtherLoop
		}
		return l, nil
	}
	if s.loop == nil {
		return nil, ErrNoLoop
	}
	return s.loop, nil
}

// Get makes a GET request (ClientSession.get).
func (s *Session) Get(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodGet, url, opts...)
}

// Post makes a POST request (ClientSession.post).
func (s *Session) Post(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodPost, url, opts...)
}

// Put makes a PUT request (ClientSession.put).
func (s *Session) Put(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodPut, url, opts...)
}

// Patch makes a PATCH request (ClientSession.patch).
func (s *Session) Patch(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodPatch, url, opts...)
}

// Delete makes a DELETE request (ClientSession.delete).
func (s *Session) Delete(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodDelete, url, opts...)
}

// Head makes a HEAD request (ClientSession.head). As in aiohttp, it does
// not follow redirects unless AllowRedirects(true) is given.
func (s *Session) Head(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodHead, url, append([]RequestOption{AllowRedirects(false)}, opts...)...)
}

// Options makes an OPTIONS request (ClientSession.options).
func (s *Session) Options(ctx context.Context, url string, opts ...RequestOption) (*Response, error) {
	return s.Request(ctx, http.MethodOptions, url, opts...)
}

// Request makes a request with method (ClientSession.request) and
// returns the response once its head has arrived; read its body with
// Text, Bytes, JSON, Reader or Chunks, or Release it.
func (s *Session) Request(ctx context.Context, method, rawURL string, opts ...RequestOption) (*Response, error) {
	rc := &requestConfig{maxRedirects: -1}
	for _, o := range opts {
		o.applyRequest(rc)
	}
	if err := s.admit(ctx, rc, method, rawURL); err != nil {
		return nil, err
	}
	return s.request(ctx, method, rawURL, rc)
}

// request makes the request Request admitted. It is a function of its
// own so that its large frame is only entered once the request may go.
func (s *Session) request(ctx context.Context, method, rawURL string, rc *requestConfig) (*Response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if len(rc.query) > 0 {
		q := u.Query()
		for k, vs := range rc.query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	var reqBody io.Reader
	length := int64(-1)
	ctype := ""
	if rc.body != nil {
		if reqBody, length, ctype, err = rc.body(); err != nil {
			return nil, err
		}
	}
	// The request takes u as it is: formatting it for
	// NewRequestWithContext to parse again would cost two allocations
	// (and could only normalize it differently). As NewRequestWithContext
	// does, the URL loses an empty port and gives the request its Host.
	req, err := http.NewRequestWithContext(ctx, method, "", reqBody)
	if err != nil {
		return nil, err
	}
	u.Host = strings.TrimSuffix(u.Host, ":")
	req.URL, req.Host = u, u.Host
	if length >= 0 {
		req.ContentLength = length
	}
	for k, v := range s.cfg.header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	for k, v := range rc.header {
		req.Header[k] = v
	}
	if ctype != "" && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", ctype)
	}
	if rc.auth != nil {
		rc.auth(req)
	} else if s.cfg.auth != nil {
		s.cfg.auth(req)
	}
	return s.do(ctx, req, rc)
}

// Do sends req, following redirects and keeping cookies as the session
// does, and returns the response once its head has arrived. req's context
// is replaced by ctx.
func (s *Session) Do(ctx context.Context, req *http.Request) (*Response, error) {
	rc := &requestConfig{maxRedirects: -1}
	if err := s.admit(ctx, rc, req.Method, req.URL.Redacted()); err != nil {
		return nil, err
	}
	return s.do(ctx, req, rc)
}

// admit starts a request: it binds the session to the loop, fixes the
// request's deadlines and, in a task, waits while the pool is full. It
// comes first, before any other work, so that a task that must wait
// does so with the least done and the smallest stack: thousands of
// requests started at once then cost the loop little until their turn.
func (s *Session) admit(ctx context.Context, rc *requestConfig, method, rawURL string) error {
	l, err := s.bind(ctx)
	if err != nil {
		return err
	}
	t := s.cfg.timeout
	if rc.timeout != nil {
		t = *rc.timeout
	}
	d := newDeadlines(l, t)
	rc.deadlines = &d
	if asyncio.InTask(ctx) {
		if err := s.pool.awaitRoom(ctx, d); err != nil {
			return requestError(method, rawURL, err)
		}
	}
	return nil
}

// requestError is err, of a request that did not start, with the
// request's method and URL, whose password is hidden.
func requestError(method, rawURL string, err error) error {
	if u, perr := url.Parse(rawURL); perr == nil {
		rawURL = u.Redacted()
	}
	return fmt.Errorf("aiohttp: %s %s: %w", method, rawURL, err)
}

func (s *Session) do(ctx context.Context, req *http.Request, rc *requestConfig) (*Response, error) {
	if req.Context() != ctx {
		req = req.WithContext(ctx)
	}
	hr, err := s.clientDo(ctx, req, rc)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			// Keep the error's kind visible: url.Error unwraps to it.
			return nil, fmt.Errorf("aiohttp: %s %s: %w", req.Method, ue.URL, ue.Err)
		}
		return nil, err
	}
	return newResponse(hr), nil
}

// checkRedirect applies the request's redirect options.
func (s *Session) checkRedirect(req *http.Request, via []*http.Request) error {
	rc := requestConfigOf(req.Context())
	if rc.allowRedirects != nil && !*rc.allowRedirects {
		return http.ErrUseLastResponse
	}
	max := rc.maxRedirects
	if max < 0 {
		max = s.cfg.maxRedirects
	}
	if len(via) > max {
		return &TooManyRedirectsError{Max: max}
	}
	s.cfg.trace.requestRedirect(req.Context(), req, via)
	return nil
}

// TooManyRedirectsError reports a request that was redirected more than
// its limit allows (aiohttp.TooManyRedirects).
type TooManyRedirectsError struct{ Max int }

// Error describes the error.
func (e *TooManyRedirectsError) Error() string {
	return fmt.Sprintf("aiohttp: stopped after %d redirects", e.Max)
}

// Close closes the session (ClientSession.close): its idle connections
// are closed and those in use aborted, so bodies not yet read fail. It
// returns once every connection is gone. Requests made afterwards fail
// with ErrSessionClosed. Closing twice does nothing.
func (s *Session) Close(ctx context.Context) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	l := s.loop
	s.mu.Unlock()
	if l == nil {
		return nil
	}
	if asyncio.InTask(ctx) && asyncio.RunningLoop(ctx) == l {
		return s.pool.close(ctx)
	}
	wctx, stop := waitable(ctx)
	defer stop()
	_, err := asyncio.SubmitWait(wctx, l, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.pool.close(ctx)
	}, asyncio.Name("aiohttp session close"))
	if errors.Is(err, asyncio.ErrLoopClosed) {
		return nil // the loop closed every transport as it closed
	}
	return err
}
