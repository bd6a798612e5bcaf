package aiohttp_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// testProxy answers plain requests itself, with the target it was asked
// for, and tunnels CONNECT requests. It records what it was asked.
type testProxy struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newTestProxy(t *testing.T) *testProxy { return startTestProxy(t, false) }

// startTestProxy starts a test proxy, speaking TLS if secure.
func startTestProxy(t *testing.T, secure bool) *testProxy {
	p := &testProxy{}
	p.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.RequestURI+" auth="+r.Header.Get("Proxy-Authorization"))
		p.mu.Unlock()
		if r.Method != http.MethodConnect {
			io.WriteString(w, "proxied "+r.RequestURI)
			return
		}
		dst, err := net.Dial("tcp", r.Host)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			dst.Close()
			return
		}
		buf.WriteString("HTTP/1.1 200 Connection established\r\n\r\n")
		buf.Flush()
		// The two copies end when either side closes; each closes both.
		done := make(chan struct{}, 2)
		pipe := func(to, from net.Conn) {
			io.Copy(to, from)
			to.Close()
			from.Close()
			done <- struct{}{}
		}
		go pipe(dst, conn)
		go pipe(conn, dst)
		<-done
		<-done
	}))
	if secure {
		p.StartTLS()
	} else {
		p.Start()
	}
	t.Cleanup(p.Close)
	return p
}

func (p *testProxy) requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func TestSessionHTTPProxy(t *testing.T) {
	proxy := newTestProxy(t)
	pu, _ := url.Parse(proxy.URL)
	pu.User = url.UserPassword("me", "pw")
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, "http://example.invalid/path?q=1")
		if err != nil {
			return err
		}
		got, err := resp.Text(ctx)
		if err != nil {
			return err
		}
		if got != "proxied http://example.invalid/path?q=1" {
			t.Errorf("got %q", got)
		}
		return nil
	}, aiohttp.Proxy(http.ProxyURL(pu)))
	if got := proxy.requests(); len(got) != 1 || got[0] != "GET http://example.invalid/path?q=1 auth=Basic bWU6cHc=" {
		t.Errorf("proxy saw %q", got)
	}
}

func TestSessionHTTPSProxyConnect(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTPProxy", true: "HTTPSProxy"}[secure], func(t *testing.T) {
			testHTTPSProxyConnect(t, secure)
		})
	}
}

// testHTTPSProxyConnect requests an https server through a proxy that
// speaks TLS itself if secure: TLS within TLS.
func testHTTPSProxyConnect(t *testing.T, secure bool) {
	proxy := startTestProxy(t, secure)
	pu, _ := url.Parse(proxy.URL)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secret over the tunnel")
	}))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		for range 2 {
			got, err := text(ctx, s, srv.URL)
			if err != nil {
				return err
			}
			if got != "secret over the tunnel" {
				t.Errorf("got %q", got)
			}
		}
		return nil
	}, aiohttp.Proxy(http.ProxyURL(pu)), aiohttp.TLS(&tls.Config{RootCAs: roots}))
	// One tunnel, reused for the second request.
	host := srv.Listener.Addr().String()
	if got := proxy.requests(); len(got) != 1 || got[0] != "CONNECT "+host+" auth=" {
		t.Errorf("proxy saw %q", got)
	}
}

func TestSessionTrustEnv(t *testing.T) {
	proxy := newTestProxy(t)
	t.Setenv("HTTP_PROXY", proxy.URL)
	t.Setenv("NO_PROXY", "direct.invalid")
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		resp, err := s.Get(ctx, "http://via-env.invalid/x")
		if err != nil {
			return err
		}
		if got, err := resp.Text(ctx); err != nil || got != "proxied http://via-env.invalid/x" {
			t.Errorf("got %q, %v", got, err)
		}
		// NO_PROXY: the session resolves the name itself, and fails.
		if _, err := s.Get(ctx, "http://direct.invalid/"); err == nil {
			t.Error("a request to a host in NO_PROXY went through")
		}
		return nil
	}, aiohttp.TrustEnv(true))
	if got := proxy.requests(); len(got) != 1 {
		t.Errorf("proxy saw %q, want the one request", got)
	}
}

// TestSessionProxyTunnelTLSRefused: TLS through a tunnel to a server the
// session does not trust fails with the certificate's error, and the
// connection it was tried on is forgotten: Close returns.
func TestSessionProxyTunnelTLSRefused(t *testing.T) {
	proxy := newTestProxy(t)
	pu, _ := url.Parse(proxy.URL)
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		var unknown x509.UnknownAuthorityError
		if _, err := s.Get(ctx, srv.URL); !errors.As(err, &unknown) {
			t.Errorf("Get: %v, want x509.UnknownAuthorityError", err)
		}
		return nil
	}, aiohttp.Proxy(http.ProxyURL(pu)))
}
