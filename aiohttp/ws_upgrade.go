package aiohttp

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// ErrNotLoopServer is what Upgrade returns for a ResponseWriter that is not
// (and does not wrap, by an Unwrap method as http.ResponseController
// expects) the ResponseWriter of this package's server.
var ErrNotLoopServer = errors.New("aiohttp: Upgrade needs a ResponseWriter of aiohttp's server")

// Upgrade answers r, a WebSocket handshake (RFC 6455 section 4.2), with
// 101 Switching Protocols and returns the connection as a WebSocket
// (aiohttp's WebSocketResponse.prepare). It negotiates the subprotocol
// (Protocols), permessage-deflate (Compress) and checks the origin
// (WithOriginCheck); headers the handler set on w, cookies say, go out with
// the 101.
//
// A request that is not a valid handshake is answered with 400 Bad
// Request (426 Upgrade Required, with "Sec-WebSocket-Version: 13", for
// another version; 405 for another method than GET; 403 for a refused
// origin) and Upgrade returns a *WSHandshakeError. Upgrade takes the
// connection from the server, as Hijack does: the WebSocket stays open
// after the handler returns, until it is closed, its peer goes or the
// server shuts down (which closes it with 1001). It may be called from
// the request's task or, for a Threaded handler, from its goroutine.
func Upgrade(w http.ResponseWriter, r *http.Request, opts ...WSOption) (*WebSocket, error) {
	resp := loopResponse(w)
	if resp == nil {
		return nil, ErrNotLoopServer
	}
	cfg := newWSConfig(opts)
	if err := cfg.check(); err != nil {
		http.Error(w, "500 Internal Server Error", http.StatusInternalServerError)
		return nil, err
	}
	key, herr := checkHandshake(r, cfg)
	if herr != nil {
		switch herr.Status {
		case http.StatusUpgradeRequired:
			w.Header().Set("Sec-WebSocket-Version", "13")
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", http.MethodGet)
		}
		http.Error(w, herr.Reason, herr.Status)
		return nil, herr
	}
	var ws *WebSocket
	var err error
	if lerr := resp.onLoopErr(func() { ws, err = resp.upgrade(r, cfg, key) }); lerr != nil {
		return nil, lerr
	}
	return ws, err
}

// loopResponse finds this package's ResponseWriter in w, through the
// Unwrap methods of middleware that wrap it.
func loopResponse(w http.ResponseWriter) *response {
	for {
		switch x := w.(type) {
		case *response:
			return x
		case interface{ Unwrap() http.ResponseWriter }:
			w = x.Unwrap()
		default:
			return nil
		}
	}
}

// checkHandshake checks r against RFC 6455 section 4.2.1 and the origin
// check, and returns the client's key.
func checkHandshake(r *http.Request, cfg *wsConfig) (string, *WSHandshakeError) {
	bad := func(status int, reason string) (string, *WSHandshakeError) {
		return "", &WSHandshakeError{Status: status, Reason: reason}
	}
	if r.Method != http.MethodGet {
		return bad(http.StatusMethodNotAllowed, "a WebSocket handshake is a GET")
	}
	if !r.ProtoAtLeast(1, 1) {
		return bad(http.StatusBadRequest, "a WebSocket handshake needs HTTP/1.1")
	}
	if !headerHasToken(r.Header, "Connection", "upgrade") || !headerHasToken(r.Header, "Upgrade", "websocket") {
		return bad(http.StatusBadRequest, `a WebSocket handshake has "Connection: Upgrade" and "Upgrade: websocket"`)
	}
	if v := r.Header.Values("Sec-WebSocket-Version"); len(v) != 1 || v[0] != "13" {
		return bad(http.StatusUpgradeRequired, "unsupported Sec-WebSocket-Version, want 13")
	}
	keys := r.Header.Values("Sec-WebSocket-Key")
	if len(keys) != 1 {
		return bad(http.StatusBadRequest, "a WebSocket handshake has one Sec-WebSocket-Key")
	}
	if k, err := base64.StdEncoding.DecodeString(keys[0]); err != nil || len(k) != 16 {
		return bad(http.StatusBadRequest, "Sec-WebSocket-Key is not 16 bytes in base64")
	}
	if r.ContentLength > 0 || len(r.TransferEncoding) > 0 {
		return bad(http.StatusBadRequest, "a WebSocket handshake has no body")
	}
	if cfg.checkOrigin != nil && !cfg.checkOrigin(r) {
		return bad(http.StatusForbidden, "origin not allowed")
	}
	return keys[0], nil
}

// upgrade writes the 101 response and hands the connection to a new
// WebSocket. It runs on the loop.
func (w *response) upgrade(r *http.Request, cfg *wsConfig, key string) (*WebSocket, error) {
	if w.hijacked {
		return nil, http.ErrHijacked
	}
	if w.wroteHeader || w.headSent {
		return nil, errors.New("aiohttp: Upgrade after the response was started")
	}
	c := w.c
	if c.lost || c.t.IsClosing() {
		return nil, errConnClosed
	}
	ws := newWebSocket(c.srv.loop, c.t, cfg, wsframe.Server)
	b := append([]byte(nil), "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "...)
	b = append(b, wsAcceptKey(key)...)
	b = append(b, "\r\n"...)
	if p := pickProtocol(cfg.protocols, headerTokens(r.Header, "Sec-WebSocket-Protocol")); p != "" {
		ws.protocol = p
		b = append(b, "Sec-WebSocket-Protocol: "...)
		b = append(b, p...)
		b = append(b, "\r\n"...)
	}
	if cfg.compress == nil || *cfg.compress {
		if ext, ok := ws.acceptDeflate(r.Header.Values("Sec-WebSocket-Extensions")); ok {
			b = append(b, "Sec-WebSocket-Extensions: "...)
			b = append(b, ext...)
			b = append(b, "\r\n"...)
		}
	}
	for name, values := range w.header {
		switch strings.ToLower(name) {
		case "upgrade", "connection", "sec-websocket-accept", "sec-websocket-protocol",
			"sec-websocket-extensions", "content-length", "transfer-encoding":
			continue
		}
		for _, v := range values {
			var err error
			if b, err = http1.AppendHeaderField(b, name, v); err != nil {
				return nil, err
			}
		}
	}
	b = append(b, "\r\n"...)
	if err := c.t.Write(b); err != nil {
		return nil, errConnClosed
	}
	w.hijacked, c.hijacked = true, true
	w.status = http.StatusSwitchingProtocols
	c.dropTimer()
	delete(c.srv.conns, c)
	if c.srv.websockets == nil {
		c.srv.websockets = make(map[*WebSocket]struct{})
	}
	c.srv.websockets[ws] = struct{}{}
	ws.srv = c.srv
	ws.ctx = c.ctx
	ws.out.paused = c.wpaused
	var early []byte
	if c.buf != nil && c.r0 < c.r1 {
		early = append(early, c.buf[c.r0:c.r1]...)
	}
	c.releaseBuf()
	ws.attach()
	if len(early) > 0 {
		ws.DataReceived(early)
	}
	return ws, nil
}

// pickProtocol returns the first of ours that the client offered, or "".
func pickProtocol(ours, offered []string) string {
	for _, p := range ours {
		if slices.Contains(offered, p) {
			return p
		}
	}
	return ""
}

// newWebSocket makes the WebSocket of transport t; attach starts it.
func newWebSocket(l *asyncio.Loop, t asyncio.Transport, cfg *wsConfig, role wsframe.Role) *WebSocket {
	return &WebSocket{loop: l, t: t, cfg: cfg, role: role}
}

// attach makes ws the transport's protocol and starts its heartbeat.
func (ws *WebSocket) attach() {
	if ws.cfg.writeHigh > 0 {
		_ = ws.t.SetWriteBufferLimits(ws.cfg.writeHigh, -1)
	}
	ws.t.SetProtocol(ws)
	if !ws.t.IsReading() {
		ws.t.ResumeReading()
	}
	ws.startHeartbeat()
}
