package main

import (
	"bufio"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The WebSocket client of the ws-echo and ws-idle-mem workloads (ws-load
// and idleclient -proto ws) is written here from RFC 6455 rather than on
// package aiohttp: it is the yardstick for every server, ours included,
// so it must neither share that code nor cost more against one server
// than another. It asks for no extension and no subprotocol.

// wsGUID is the string RFC 6455 section 1.3 appends to the key.
const wsGUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

// wsAccept returns the Sec-WebSocket-Accept a server answers to key.
func wsAccept(key string) string {
	h := sha1.Sum([]byte(key + wsGUID))
	return base64.StdEncoding.EncodeToString(h[:])
}

// wsNewKey returns a fresh Sec-WebSocket-Key: 16 random bytes in base64.
func wsNewKey() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// wsUpgradeRequest is the GET / that asks host to upgrade to WebSocket
// with key.
func wsUpgradeRequest(host, key string) string {
	return "GET / HTTP/1.1\r\nHost: " + host + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n"
}

// wsHandshake upgrades the connection rw to host to WebSocket: it sends
// the request, reads the response and checks it (wsCheckResponse). The
// server must send nothing after its response before it gets a message,
// as an echo server does: bytes that arrive with the response are an
// error rather than a frame to keep.
func wsHandshake(rw io.ReadWriter, host string) error {
	key := wsNewKey()
	if _, err := io.WriteString(rw, wsUpgradeRequest(host, key)); err != nil {
		return err
	}
	br := bufio.NewReader(rw)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		return fmt.Errorf("websocket handshake: %w", err)
	}
	if err := wsCheckResponse(resp, key); err != nil {
		return err
	}
	if br.Buffered() > 0 {
		return fmt.Errorf("websocket handshake: %d bytes after the response", br.Buffered())
	}
	return nil
}

// wsCheckResponse checks that resp accepts the upgrade asked for with key
// (RFC 6455 section 4.1): status 101, Upgrade: websocket, Connection:
// upgrade, the Sec-WebSocket-Accept that key calls for, and no extension,
// since none was offered.
func wsCheckResponse(resp *http.Response, key string) error {
	switch {
	case resp.StatusCode != http.StatusSwitchingProtocols:
		return fmt.Errorf("websocket handshake: status %s, want 101", resp.Status)
	case !strings.EqualFold(resp.Header.Get("Upgrade"), "websocket"):
		return fmt.Errorf("websocket handshake: Upgrade %q, want websocket", resp.Header.Get("Upgrade"))
	case !headerHasToken(resp.Header, "Connection", "upgrade"):
		return fmt.Errorf("websocket handshake: Connection %q, want upgrade", resp.Header.Get("Connection"))
	case resp.Header.Get("Sec-WebSocket-Accept") != wsAccept(key):
		return fmt.Errorf("websocket handshake: Sec-WebSocket-Accept %q, want %q", resp.Header.Get("Sec-WebSocket-Accept"), wsAccept(key))
	case resp.Header.Get("Sec-WebSocket-Extensions") != "":
		return errors.New("websocket handshake: the server chose an extension that was not offered")
	}
	return nil
}

// headerHasToken reports whether a comma-separated field name of h lists
// token, in any case.
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
