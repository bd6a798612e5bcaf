package aiohttp_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// wsEcho is a handler that upgrades and echoes every message until the
// peer closes.
func wsEcho(opts ...aiohttp.WSOption) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, opts...)
		if err != nil {
			return
		}
		ctx := r.Context()
		for m, err := range ws.Messages(ctx) {
			if err != nil {
				return
			}
			if err := ws.Send(ctx, m); err != nil {
				return
			}
		}
	})
}

// wsSetup is what wsRunWith runs a test with besides the handler.
type wsSetup struct {
	server  []aiohttp.ServerOption
	session []aiohttp.SessionOption
	tls     bool // the URL is wss://
	loop    []asyncio.Option
}

// wsRunWith serves h on the loop and runs client in a task of the same
// loop with a session; the server is shut down after client returns.
func wsRunWith(t *testing.T, h http.Handler, setup wsSetup, client func(ctx context.Context, s *aiohttp.Session, url string) error) {
	t.Helper()
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, setup.server...)
		if err != nil {
			return struct{}{}, err
		}
		s := aiohttp.NewSession(setup.session...)
		scheme := "ws://"
		if setup.tls {
			scheme = "wss://"
		}
		cerr := client(ctx, s, scheme+srv.Addr().String()+"/ws")
		if err := s.Close(ctx); cerr == nil {
			cerr = err
		}
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); cerr == nil {
			cerr = err
		}
		return struct{}{}, cerr
	}, setup.loop...)
	if err != nil {
		t.Fatal(err)
	}
}

// wsRun is wsRunWith with no options but the loop's.
func wsRun(t *testing.T, h http.Handler, client func(ctx context.Context, s *aiohttp.Session, url string) error, loopOpts ...asyncio.Option) {
	t.Helper()
	wsRunWith(t, h, wsSetup{loop: loopOpts}, client)
}

func TestWSEchoTextBinaryJSON(t *testing.T) {
	wsRun(t, wsEcho(), func(ctx context.Context, s *aiohttp.Session, url string) error {
		ws, err := s.WSConnect(ctx, url)
		if err != nil {
			return err
		}
		if err := ws.SendText(ctx, "héllo"); err != nil {
			return err
		}
		if got, err := ws.ReceiveText(ctx); err != nil || got != "héllo" {
			t.Errorf("ReceiveText = %q, %v; want héllo", got, err)
		}
		big := []byte(strings.Repeat("0123456789", 100_000))
		if err := ws.SendBytes(ctx, big); err != nil {
			return err
		}
		if got, err := ws.ReceiveBytes(ctx); err != nil || string(got) != string(big) {
			t.Errorf("ReceiveBytes: %d bytes, %v; want %d", len(got), err, len(big))
		}
		if err := ws.SendJSON(ctx, map[string]int{"n": 42}); err != nil {
			return err
		}
		var v struct{ N int }
		if err := ws.ReceiveJSON(ctx, &v); err != nil || v.N != 42 {
			t.Errorf("ReceiveJSON = %+v, %v", v, err)
		}
		if err := ws.Ping(ctx, []byte("are you there")); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if err := ws.Close(ctx, aiohttp.WSCloseNormal, "bye"); err != nil {
			t.Errorf("Close: %v", err)
		}
		if ws.CloseCode() != aiohttp.WSCloseNormal {
			t.Errorf("CloseCode = %d, want 1000", ws.CloseCode())
		}
		_, err = ws.Receive(ctx)
		var ce *aiohttp.WSCloseError
		if !errors.As(err, &ce) || ce.Code != 1000 {
			t.Errorf("Receive after Close = %v, want a WSCloseError with 1000", err)
		}
		return nil
	})
}

func TestWSOnMessage(t *testing.T) {
	ended := make(chan error, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r)
		if err != nil {
			return
		}
		// The handler returns at once; the messages start tasks.
		ws.OnMessage(func(ctx context.Context, m aiohttp.WSMessage, err error) {
			if err != nil {
				ended <- err
				return
			}
			if asyncio.CurrentTask(ctx) == nil {
				t.Error("OnMessage's function runs outside a task")
			}
			ws.SendText(ctx, strings.ToUpper(string(m.Data)))
		})
	})
	wsRun(t, h, func(ctx context.Context, s *aiohttp.Session, url string) error {
		ws, err := s.WSConnect(ctx, url)
		if err != nil {
			return err
		}
		for _, w := range []string{"one", "two", "three"} {
			if err := ws.SendText(ctx, w); err != nil {
				return err
			}
		}
		for _, want := range []string{"ONE", "TWO", "THREE"} {
			if got, err := ws.ReceiveText(ctx); err != nil || got != want {
				t.Errorf("got %q, %v; want %q", got, err, want)
			}
		}
		if err := ws.Close(ctx, 4000, "bye"); err != nil {
			return err
		}
		err, _, rerr := asyncio.Recv(ctx, ended)
		if rerr != nil {
			return rerr
		}
		var ce *aiohttp.WSCloseError
		if !errors.As(err, &ce) || ce.Code != 4000 || ce.Reason != "bye" {
			t.Errorf("OnMessage's last call had %v, want the close 4000 bye", err)
		}
		return nil
	})
}

func TestWSOverTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	setup := wsSetup{
		server:  []aiohttp.ServerOption{aiohttp.TLS(certs.Server)},
		session: []aiohttp.SessionOption{aiohttp.TLS(&tls.Config{RootCAs: certs.Pool})},
		tls:     true,
	}
	wsRunWith(t, wsEcho(), setup, func(ctx context.Context, s *aiohttp.Session, url string) error {
		ws, err := s.WSConnect(ctx, strings.Replace(url, "127.0.0.1", "localhost", 1))
		if err != nil {
			return err
		}
		msg := strings.Repeat("secret ", 10_000)
		if err := ws.SendText(ctx, msg); err != nil {
			return err
		}
		if got, err := ws.ReceiveText(ctx); err != nil || got != msg {
			t.Errorf("echo over TLS: %d bytes, %v", len(got), err)
		}
		return ws.Close(ctx, aiohttp.WSCloseNormal, "")
	})
}

func TestWSCompression(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []aiohttp.WSOption
	}{
		{"pooled", nil},
		{"context takeover", []aiohttp.WSOption{aiohttp.CompressContextTakeover(true)}},
		{"level 9", []aiohttp.WSOption{aiohttp.CompressLevel(9)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wsRun(t, wsEcho(tc.opts...), func(ctx context.Context, s *aiohttp.Session, url string) error {
				ws, err := s.WSConnect(ctx, url, append([]aiohttp.WSOption{aiohttp.Compress(true)}, tc.opts...)...)
				if err != nil {
					return err
				}
				if !strings.HasPrefix(ws.Extensions(), "permessage-deflate") {
					t.Fatalf("Extensions() = %q, want permessage-deflate", ws.Extensions())
				}
				msgs := []string{"short", strings.Repeat("compress me ", 10_000), strings.Repeat("again ", 300)}
				for range 3 {
					for _, m := range msgs {
						if err := ws.SendText(ctx, m); err != nil {
							return err
						}
						if got, err := ws.ReceiveText(ctx); err != nil || got != m {
							t.Fatalf("echo of %d bytes: got %d bytes, %v", len(m), len(got), err)
						}
					}
				}
				// A message in fragments is compressed as one.
				w, err := ws.Writer(ctx, aiohttp.WSBinary)
				if err != nil {
					return err
				}
				var want []byte
				for i := range 5 {
					part := []byte(strings.Repeat(string(rune('a'+i)), 1000))
					want = append(want, part...)
					if _, err := w.Write(part); err != nil {
						return err
					}
				}
				if err := w.Close(); err != nil {
					return err
				}
				if got, err := ws.ReceiveBytes(ctx); err != nil || string(got) != string(want) {
					t.Errorf("fragmented echo: %d bytes, %v; want %d", len(got), err, len(want))
				}
				return ws.Close(ctx, aiohttp.WSCloseNormal, "")
			})
		})
	}
}

func TestWSCompressionNotOffered(t *testing.T) {
	wsRun(t, wsEcho(), func(ctx context.Context, s *aiohttp.Session, url string) error {
		ws, err := s.WSConnect(ctx, url)
		if err != nil {
			return err
		}
		if ws.Extensions() != "" {
			t.Errorf("Extensions() = %q without Compress(true)", ws.Extensions())
		}
		return ws.Close(ctx, aiohttp.WSCloseNormal, "")
	})
}

// Through a proxy a WebSocket goes over a CONNECT tunnel, ws:// too.
func TestWSThroughTinyproxy(t *testing.T) {
	proxy := newRelay(t, peer.Tinyproxy(t))
	proxyURL, _ := url.Parse(proxy.URL)
	setup := wsSetup{session: []aiohttp.SessionOption{aiohttp.Proxy(http.ProxyURL(proxyURL))}}
	var target string
	wsRunWith(t, wsEcho(), setup, func(ctx context.Context, s *aiohttp.Session, wsURL string) error {
		target = strings.TrimSuffix(strings.TrimPrefix(wsURL, "ws://"), "/ws")
		ws, err := s.WSConnect(ctx, wsURL)
		if err != nil {
			return err
		}
		if err := ws.SendText(ctx, "through the tunnel"); err != nil {
			return err
		}
		if got, err := ws.ReceiveText(ctx); err != nil || got != "through the tunnel" {
			t.Errorf("echo through the proxy = %q, %v", got, err)
		}
		return ws.Close(ctx, aiohttp.WSCloseNormal, "")
	})
	if want := "CONNECT " + target + " HTTP/1.1"; !slices.Contains(proxy.lines(), want) {
		t.Errorf("proxy saw %q, want %q", proxy.lines(), want)
	}
}
