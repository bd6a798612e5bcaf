package aiohttp

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// proxyFor returns the proxy of req, or nil.
func (s *Session) proxyFor(req *http.Request) (*url.URL, error) {
	if s.cfg.proxy != nil {
		return s.cfg.proxy(req)
	}
	return nil, nil
}

// proxySpec turns the dial spec of a request into one through proxy: an
// http request goes to the proxy with its target in absolute form, an
// https one, or any when tunnelPlain (a WebSocket), through a tunnel the
// proxy opens with CONNECT.
func (s *Session) proxySpec(spec dialSpec, proxy *url.URL, tunnelPlain bool) (dialSpec, bool, error) {
	port := proxy.Port()
	if port == "" {
		port = "80"
		if proxy.Scheme == "https" {
			port = "443"
		}
	}
	paddr := net.JoinHostPort(proxy.Hostname(), port)
	auth := ""
	if u := proxy.User; u != nil {
		pw, _ := u.Password()
		auth = "Basic " + base64.StdEncoding.EncodeToString([]byte(u.Username()+":"+pw))
	}
	var proxyTLS *tls.Config
	if proxy.Scheme == "https" {
		proxyTLS = s.tlsConfig(proxy.Hostname())
	}
	if spec.tls == nil && !tunnelPlain {
		return dialSpec{key: "via " + proxy.Scheme + "://" + paddr, addr: paddr, tls: proxyTLS, proxyAuth: auth}, true, nil
	}
	target, targetTLS := spec.addr, spec.tls
	spec.key += " via " + proxy.Scheme + "://" + paddr
	spec.addr = paddr
	spec.tls = proxyTLS
	spec.connect = func(ctx context.Context, c *clientConn) error {
		return tunnel(ctx, c, target, auth, targetTLS)
	}
	return spec, false, nil
}

// tunnel asks the proxy on c to connect to target, then runs TLS with
// the target over the tunnel if cfg is not nil.
func tunnel(ctx context.Context, c *clientConn, target, auth string, cfg *tls.Config) error {
	b, err := http1.AppendRequestLine(nil, http.MethodConnect, target)
	if err != nil {
		return err
	}
	b, _ = http1.AppendHeaderField(b, "Host", target)
	if auth != "" {
		b, _ = http1.AppendHeaderField(b, "Proxy-Authorization", auth)
	}
	b = append(b, "\r\n"...)
	l := asyncio.RunningLoop(ctx)
	dl := deadlines{total: noDeadline}
	if err := c.write(ctx, b, dl.total); err != nil {
		return err
	}
	var rh parsedHead
	if err := readHead(ctx, c, &rh, dl, l); err != nil {
		return err
	}
	if rh.StatusCode/100 != 2 {
		return &ProxyError{StatusCode: rh.StatusCode}
	}
	c.consume(rh.headLen)
	if len(c.data()) > 0 {
		return &ProtocolError{Err: errTunnelData}
	}
	if cfg == nil {
		return nil // a plain tunnel, for a WebSocket
	}
	t, err := asyncio.StartTLS(ctx, c.t, cfg)
	if err != nil {
		// StartTLS aborted the connection, whose end it had taken over:
		// c will hear nothing more of it, and must not wait to.
		c.t = nil
		return err
	}
	c.t = t
	return nil
}

var errTunnelData = errors.New("proxy sent data after its CONNECT response")

// ProxyError reports a proxy that refused to open a tunnel.
type ProxyError struct{ StatusCode int }

// Error describes the error.
func (e *ProxyError) Error() string {
	return "aiohttp: proxy refused CONNECT: status " + strconv.Itoa(e.StatusCode)
}
