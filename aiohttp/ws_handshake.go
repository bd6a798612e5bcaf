package aiohttp

import (
	"crypto/sha1"
	"encoding/base64"
	"net/http"
	"strings"
)

// wsGUID is the GUID of RFC 6455 section 1.3 that the accept key hashes
// with the client's key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsAcceptKey is the Sec-WebSocket-Accept answering key.
func wsAcceptKey(key string) string {
	h := sha1.New()
	h.Write([]byte(key))
	h.Write([]byte(wsGUID))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// headerHasToken reports whether the comma-separated lists in h's field
// name hold token, compared case-insensitively (Connection: keep-alive,
// Upgrade).
func headerHasToken(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}

// headerTokens returns the tokens of the comma-separated lists in h's
// field name, in order.
func headerTokens(h http.Header, name string) []string {
	var out []string
	for _, v := range h.Values(name) {
		for t := range strings.SplitSeq(v, ",") {
			if t = strings.TrimSpace(t); t != "" {
				out = append(out, t)
			}
		}
	}
	return out
}

// WSHandshakeError is a refused WebSocket handshake: Upgrade's, with the
// status it answered the request with, or Session.WSConnect's, with the
// status of the server's response (aiohttp's WSServerHandshakeError).
type WSHandshakeError struct {
	Status int    // the HTTP status of the refusal
	Reason string // what was wrong
}

// Error implements error.
func (e *WSHandshakeError) Error() string {
	return "aiohttp: WebSocket handshake refused (" + http.StatusText(e.Status) + "): " + e.Reason
}
