package aiohttp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// Upgrade answers what is not a valid handshake with the status RFC 6455
// asks for, and a client sees it as a WSHandshakeError.
func TestWSUpgradeRefusals(t *testing.T) {
	h := wsEcho(aiohttp.WithOriginCheck(func(r *http.Request) bool {
		return r.Header.Get("Origin") != "https://evil.example"
	}))
	handshake := http.Header{
		"Connection":            {"Upgrade"},
		"Upgrade":               {"websocket"},
		"Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	with := func(k, v string) http.Header {
		h := handshake.Clone()
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
		return h
	}
	cases := []struct {
		name    string
		method  string
		header  http.Header
		status  int
		version string // Sec-WebSocket-Version of the refusal
	}{
		{"not an upgrade", "GET", with("Upgrade", ""), 400, ""},
		{"no Connection: Upgrade", "GET", with("Connection", "keep-alive"), 400, ""},
		{"version 8", "GET", with("Sec-Websocket-Version", "8"), 426, "13"},
		{"bad key", "GET", with("Sec-Websocket-Key", "c2hvcnQ="), 400, ""},
		{"POST", "POST", handshake, 405, ""},
		{"refused origin", "GET", with("Origin", "https://evil.example"), 403, ""},
		{"valid", "GET", with("Origin", "https://good.example"), 101, ""},
	}
	serve(t, h, func(addr string) {
		client := newClient(t)
		for _, c := range cases {
			req, _ := http.NewRequest(c.method, "http://"+addr+"/ws", nil)
			req.Header = c.header
			resp, err := client.Do(req)
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			resp.Body.Close()
			if resp.StatusCode != c.status {
				t.Errorf("%s: status %d, want %d", c.name, resp.StatusCode, c.status)
			}
			if got := resp.Header.Get("Sec-WebSocket-Version"); got != c.version {
				t.Errorf("%s: Sec-WebSocket-Version %q, want %q", c.name, got, c.version)
			}
			if c.status == 101 && resp.Header.Get("Sec-WebSocket-Accept") != "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" {
				t.Errorf("%s: Sec-WebSocket-Accept %q", c.name, resp.Header.Get("Sec-WebSocket-Accept"))
			}
		}
	})
}

// WSConnect sends the session's cookies and headers, the request options
// and Origin, and keeps the cookies the 101 sets; a refusal is a
// WSHandshakeError with the server's status.
func TestWSConnectRequest(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		seen := strings.Join([]string{r.Header.Get("Origin"), r.Header.Get("X-Session"), r.Header.Get("X-Request"), r.Header.Get("Authorization"), r.URL.RawQuery, cookieOf(r)}, "|")
		w.Header().Set("Set-Cookie", "visit=1")
		ws, err := aiohttp.Upgrade(w, r)
		if err != nil {
			return
		}
		ws.SendText(r.Context(), seen)
		ws.Close(r.Context(), aiohttp.WSCloseNormal, "")
	})
	mux.HandleFunc("/nows", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) })
	jar, _ := cookiejar.New(nil)
	setup := wsSetup{session: []aiohttp.SessionOption{aiohttp.CookieJar(jar), aiohttp.Headers(http.Header{"X-Session": {"s"}})}}
	wsRunWith(t, mux, setup, func(ctx context.Context, s *aiohttp.Session, url string) error {
		for i, want := range []string{
			"https://app.example|s|r|Bearer tok|q=1|",
			"https://app.example|s|r|Bearer tok|q=1|visit=1",
		} {
			ws, err := s.WSConnect(ctx, url, aiohttp.Origin("https://app.example"),
				aiohttp.WSRequest(aiohttp.WithHeader("X-Request", "r"), aiohttp.BearerAuth("tok"), aiohttp.Params(map[string][]string{"q": {"1"}})))
			if err != nil {
				return err
			}
			if got, err := ws.ReceiveText(ctx); err != nil || got != want {
				t.Errorf("connection %d: the server saw %q, %v; want %q", i, got, err, want)
			}
			ws.Receive(ctx) // the server's close
		}
		_, err := s.WSConnect(ctx, strings.Replace(url, "/ws", "/nows", 1))
		var he *aiohttp.WSHandshakeError
		if !errors.As(err, &he) || he.Status != http.StatusForbidden {
			t.Errorf("WSConnect to a plain handler = %v, want a WSHandshakeError with 403", err)
		}
		_, err = s.WSConnect(ctx, "ftp://example.com/")
		if err == nil {
			t.Error("WSConnect accepted an ftp URL")
		}
		return nil
	})
}

func cookieOf(r *http.Request) string {
	if c, err := r.Cookie("visit"); err == nil {
		return "visit=" + c.Value
	}
	return ""
}
