package aiohttp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// WSConnect opens a WebSocket to rawURL, a ws:// or wss:// URL (http://
// and https:// are taken as the same), and returns it once the server
// accepted the handshake (aiohttp's ClientSession.ws_connect). The
// connection is made as the session makes its others: its TLS settings,
// DNS cache, proxy (through a CONNECT tunnel, whatever the scheme), cookie
// jar, headers and authentication apply; WSRequest adds request options,
// Origin sets the Origin header. The session's Timeout bounds the
// handshake. Redirects are not followed.
//
// Once open, the WebSocket is no longer the session's: it does not count
// against Limit and stays open when the session closes. A handshake the
// server refuses returns a *WSHandshakeError with the server's status.
func (s *Session) WSConnect(ctx context.Context, rawURL string, opts ...WSOption) (*WebSocket, error) {
	cfg := newWSConfig(opts)
	if err := cfg.check(); err != nil {
		return nil, err
	}
	rc := &requestConfig{maxRedirects: -1}
	for _, o := range cfg.request {
		o.applyRequest(rc)
	}
	if rc.body != nil {
		return nil, errors.New("aiohttp: a WebSocket handshake has no body")
	}
	u, err := wsURL(rawURL)
	if err != nil {
		return nil, err
	}
	l, err := s.bind(ctx)
	if err != nil {
		return nil, err
	}
	connect := func(ctx context.Context) (*WebSocket, error) { return s.wsConnect(ctx, l, u, cfg, rc) }
	if asyncio.InTask(ctx) {
		return connect(ctx)
	}
	return asyncio.SubmitWait(ctx, l, connect)
}

// wsURL parses rawURL and gives it the scheme of the HTTP request that
// carries the handshake.
func wsURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(u.Scheme) {
	case "ws", "http":
		u.Scheme = "http"
	case "wss", "https":
		u.Scheme = "https"
	default:
		return nil, errors.New("aiohttp: WebSocket URL scheme must be ws or wss, not " + strconv.Quote(u.Scheme))
	}
	u.Host = strings.TrimSuffix(u.Host, ":")
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

func (s *Session) wsConnect(ctx context.Context, l *asyncio.Loop, u *url.URL, cfg *wsConfig, rc *requestConfig) (*WebSocket, error) {
	if len(rc.query) > 0 {
		q := u.Query()
		for k, vs := range rc.query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "", nil)
	if err != nil {
		return nil, err
	}
	req.URL, req.Host = u, u.Host
	for k, v := range s.cfg.header {
		req.Header[http.CanonicalHeaderKey(k)] = v
	}
	for k, v := range rc.header {
		req.Header[k] = v
	}
	if rc.auth != nil {
		rc.auth(req)
	} else if s.cfg.auth != nil {
		s.cfg.auth(req)
	}
	if jar := s.client.Jar; jar != nil {
		for _, c := range jar.Cookies(u) {
			req.AddCookie(c)
		}
	}
	var nonce [16]byte
	rand.Read(nonce[:])
	key := base64.StdEncoding.EncodeToString(nonce[:])
	h := req.Header
	h.Set("Upgrade", "websocket")
	h.Set("Connection", "Upgrade")
	h.Set("Sec-WebSocket-Key", key)
	h.Set("Sec-WebSocket-Version", "13")
	if len(cfg.protocols) > 0 {
		h.Set("Sec-WebSocket-Protocol", strings.Join(cfg.protocols, ", "))
	}
	if cfg.origin != "" {
		h.Set("Origin", cfg.origin)
	}
	offer := ""
	if cfg.compress != nil && *cfg.compress {
		offer = wsDeflateOffer(cfg)
		h.Set("Sec-WebSocket-Extensions", offer)
	}

	timeout := s.cfg.timeout
	if rc.timeout != nil {
		timeout = *rc.timeout
	}
	dl := newDeadlines(l, timeout)
	spec, absolute, err := s.dialSpec(req, true)
	if err != nil {
		return nil, err
	}
	c, _, err := s.pool.get(ctx, spec, dl, true)
	if err != nil {
		return nil, err
	}
	ws, err := s.wsHandshake(ctx, c, req, dl, absolute, spec.proxyAuth, cfg, key, offer)
	if err != nil {
		c.abort()
		s.pool.drop(c)
		return nil, err
	}
	return ws, nil
}

// wsHandshake sends the handshake request on c, checks the server's
// answer (RFC 6455 section 4.1) and makes c's transport a WebSocket's.
func (s *Session) wsHandshake(ctx context.Context, c *clientConn, req *http.Request, dl deadlines, absolute bool, proxyAuth string, cfg *wsConfig, key, offer string) (*WebSocket, error) {
	l := asyncio.RunningLoop(ctx)
	b, _, err := appendHead(nil, req, absolute, proxyAuth, false)
	if err != nil {
		return nil, err
	}
	if err := c.write(ctx, b, dl.total); err != nil {
		return nil, err
	}
	rh := &c.head
	for {
		if err := readHead(ctx, c, rh, dl, l); err != nil {
			return nil, err
		}
		if rh.StatusCode >= 200 || rh.StatusCode == http.StatusSwitchingProtocols {
			break
		}
		c.consume(rh.headLen) // 100 Continue and other interim answers
	}
	header := responseHeader(rh.Headers)
	status := rh.StatusCode
	c.consume(rh.headLen)
	if jar := s.client.Jar; jar != nil {
		if cookies := (&http.Response{Header: header}).Cookies(); len(cookies) > 0 {
			jar.SetCookies(req.URL, cookies)
		}
	}
	refuse := func(reason string) (*WebSocket, error) {
		return nil, &WSHandshakeError{Status: status, Reason: reason}
	}
	if status != http.StatusSwitchingProtocols {
		return refuse("the server answered " + http.StatusText(status) + ", not 101 Switching Protocols")
	}
	if !headerHasToken(header, "Upgrade", "websocket") || !headerHasToken(header, "Connection", "upgrade") {
		return refuse(`the 101 lacks "Upgrade: websocket" or "Connection: Upgrade"`)
	}
	if header.Get("Sec-WebSocket-Accept") != wsAcceptKey(key) {
		return refuse("Sec-WebSocket-Accept does not match the key")
	}
	ws := newWebSocket(l, c.t, cfg, wsframe.Client)
	ws.ctx = ctx
	if p := header.Values("Sec-WebSocket-Protocol"); len(p) > 0 {
		if len(p) > 1 || !slices.Contains(cfg.protocols, p[0]) {
			return refuse("the server chose a subprotocol that was not offered: " + strings.Join(p, ", "))
		}
		ws.protocol = p[0]
	}
	if ext := header.Values("Sec-WebSocket-Extensions"); len(ext) > 0 {
		if err := ws.acceptDeflateResponse(ext, offer); err != nil {
			return refuse(err.Error())
		}
	}
	// The connection is the WebSocket's from now on: the pool forgets it,
	// and bytes that came after the 101 are its first frames.
	s.pool.drop(c)
	delete(s.pool.all, c)
	early := append([]byte(nil), c.data()...)
	c.consume(len(early))
	c.freeBuffer()
	ws.attach()
	if len(early) > 0 {
		ws.DataReceived(early)
	}
	return ws, nil
}
