package main

import (
	"bufio"
	"bytes"
	"net/http"
	"strings"
	"testing"
)

// The example of RFC 6455 section 1.3.
func TestWSAcceptRFCExample(t *testing.T) {
	if got, want := wsAccept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; got != want {
		t.Errorf("wsAccept = %q, want %q", got, want)
	}
}

func TestWSNewKeyIsFresh(t *testing.T) {
	a, b := wsNewKey(), wsNewKey()
	if len(a) != 24 || a == b {
		t.Errorf("keys %q, %q: want two different base64 forms of 16 bytes", a, b)
	}
}

// rfcResponse is the server's handshake of RFC 6455 section 1.2, with
// extra header lines.
func rfcResponse(extra string) string {
	return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
		"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n" + extra + "\r\n"
}

func TestWSCheckResponse(t *testing.T) {
	const key = "dGhlIHNhbXBsZSBub25jZQ=="
	for _, c := range []struct {
		name, resp string
		ok         bool
	}{
		{"RFC 6455 section 1.2", rfcResponse(""), true},
		{"tokens in any case", strings.NewReplacer("Upgrade\r\n", "keep-alive, UPGRADE\r\n", ": websocket", ": WebSocket").Replace(rfcResponse("")), true},
		{"status 200", strings.Replace(rfcResponse(""), "101 Switching Protocols", "200 OK", 1), false},
		{"no Upgrade", strings.Replace(rfcResponse(""), "Upgrade: websocket\r\n", "", 1), false},
		{"Connection without upgrade", strings.Replace(rfcResponse(""), "Connection: Upgrade", "Connection: keep-alive", 1), false},
		{"wrong accept", strings.Replace(rfcResponse(""), "s3pP", "s3pQ", 1), false},
		{"an extension not offered", rfcResponse("Sec-WebSocket-Extensions: permessage-deflate\r\n"), false},
	} {
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(c.resp)), nil)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if err := wsCheckResponse(resp, key); (err == nil) != c.ok {
			t.Errorf("%s: wsCheckResponse = %v, want ok %v", c.name, err, c.ok)
		}
	}
}

// fakeServer is the far end of a handshake: it answers the request
// written to it with status line and fields computed from its key, then
// tail.
type fakeServer struct {
	req  bytes.Buffer
	resp *strings.Reader
	tail string
}

func (s *fakeServer) Write(p []byte) (int, error) { return s.req.Write(p) }

func (s *fakeServer) Read(p []byte) (int, error) {
	if s.resp == nil {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(s.req.Bytes())))
		if err != nil {
			return 0, err
		}
		s.resp = strings.NewReader("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + wsAccept(r.Header.Get("Sec-WebSocket-Key")) + "\r\n\r\n" + s.tail)
	}
	return s.resp.Read(p)
}

func TestWSHandshake(t *testing.T) {
	s := &fakeServer{}
	if err := wsHandshake(s, "127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	r, err := http.ReadRequest(bufio.NewReader(&s.req))
	if err != nil {
		t.Fatal(err)
	}
	if r.Method != "GET" || r.URL.Path != "/" || r.Host != "127.0.0.1:1" || r.Header.Get("Sec-WebSocket-Version") != "13" ||
		r.Header.Get("Upgrade") != "websocket" || r.Header.Get("Sec-WebSocket-Extensions") != "" {
		t.Errorf("request %s %s, Host %q, fields %v", r.Method, r.URL, r.Host, r.Header)
	}
}

// A frame that arrives with the response would be lost: the handshake
// refuses it rather than let the load generator miscount.
func TestWSHandshakeRefusesBytesAfterResponse(t *testing.T) {
	err := wsHandshake(&fakeServer{tail: "\x82\x00"}, "127.0.0.1:1")
	if err == nil || !strings.Contains(err.Error(), "after the response") {
		t.Errorf("err = %v, want one about bytes after the response", err)
	}
}
