package aiohttp

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"time"

	"github.com/asyncio-go/asyncio"
	"golang.org/x/net/http/httpproxy"
)

// A SessionOption configures NewSession.
type SessionOption interface{ applySession(*sessionConfig) }

// A RequestOption configures one request: given to Get, Post, ...
type RequestOption interface{ applyRequest(*requestConfig) }

// An Option means the same thing to a session, for all its requests, and
// to one request, where it wins over the session's (aiohttp's keywords
// that both ClientSession and its request methods take).
type Option interface {
	SessionOption
	RequestOption
}

type sessionOption func(*sessionConfig)

func (o sessionOption) applySession(c *sessionConfig) { o(c) }

type sessionConfig struct {
	limit, limitPerHost int
	keepAlive           time.Duration
	dnsTTL              time.Duration
	timeout             ClientTimeout
	tls                 *tls.Config
	jar                 http.CookieJar
	noJar               bool
	noCompress          bool
	proxy               func(*http.Request) (*url.URL, error)
	trustEnv            bool
	trace               traceList
	maxRedirects        int
	header              http.Header
	auth                func(*http.Request)
	happyEyeballs       time.Duration
	expectContinue      time.Duration
	dial                DialFunc
}

func newSessionConfig(opts []SessionOption) *sessionConfig {
	c := &sessionConfig{happyEyeballs: asyncio.DefaultHappyEyeballsDelay, expectContinue: DefaultExpectContinueTimeout, limit: DefaultLimit, keepAlive: DefaultSessionKeepAliveTimeout, dnsTTL: DefaultDNSCacheTTL,
		timeout: DefaultTimeout, maxRedirects: DefaultMaxRedirects}
	for _, o := range opts {
		o.applySession(c)
	}
	if c.trustEnv && c.proxy == nil {
		env := httpproxy.FromEnvironment().ProxyFunc()
		c.proxy = func(r *http.Request) (*url.URL, error) { return env(r.URL) }
	}
	if c.jar == nil && !c.noJar {
		c.jar, _ = cookiejar.New(nil)
	}
	return c
}

// DefaultMaxRedirects is how many redirects a request follows (aiohttp's
// max_redirects).
const DefaultMaxRedirects = 10

// Limit bounds the connections a session has open at once, in use or
// idle (aiohttp's limit; default DefaultLimit); 0 means no bound.
func Limit(n int) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.limit = n })
}

// LimitPerHost bounds the connections to one scheme, host and port
// (aiohttp's limit_per_host); 0, the default, means no bound.
func LimitPerHost(n int) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.limitPerHost = n })
}

// TTLDNSCache sets how long resolved addresses are kept (aiohttp's
// ttl_dns_cache; default DefaultDNSCacheTTL); 0 keeps them for the
// session's life and a negative d turns the cache off.
func TTLDNSCache(d time.Duration) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.dnsTTL = d })
}

// CookieJar sets the session's cookie jar (aiohttp's cookie_jar); nil
// turns cookies off. The default is a new net/http/cookiejar.
func CookieJar(jar http.CookieJar) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.jar, c.noJar = jar, jar == nil })
}

// AutoDecompress(false) leaves compressed responses as they came
// (aiohttp's auto_decompress); by default a session asks for gzip,
// deflate, brotli and zstd and decodes them, unless the request sets
// Accept-Encoding.
func AutoDecompress(on bool) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.noCompress = !on })
}

// Proxy sets the function that chooses the proxy of each request, as
// http.Transport's Proxy does; a nil URL means none.
func Proxy(f func(*http.Request) (*url.URL, error)) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.proxy = f })
}

// TrustEnv makes the session take its proxies from the HTTP_PROXY,
// HTTPS_PROXY and NO_PROXY variables of the environment (aiohttp's
// trust_env), as http.ProxyFromEnvironment reads them, but when NewSession
// runs rather than once per process. Requests to localhost and loopback
// addresses are not proxied.
func TrustEnv(on bool) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.trustEnv = on })
}

// TraceConfigs adds hooks called at the steps of each request (aiohttp's
// trace_configs).
func TraceConfigs(ts ...*TraceConfig) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.trace = append(c.trace, ts...) })
}

// HappyEyeballsDelay sets how long a connection attempt to one address of
// a host runs before the next is tried beside it (aiohttp's
// happy_eyeballs_delay; default asyncio.DefaultHappyEyeballsDelay); a
// negative d tries them one after another.
func HappyEyeballsDelay(d time.Duration) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.happyEyeballs = d })
}

// DefaultExpectContinueTimeout is how long a request with "Expect:
// 100-continue" waits for the server's 100 Continue before it sends its
// body anyway (net/http's usual Transport.ExpectContinueTimeout).
const DefaultExpectContinueTimeout = time.Second

// ExpectContinueTimeout sets how long a request with "Expect:
// 100-continue" and a body waits for the server's 100 Continue, or its
// final answer, before sending the body anyway (net/http's
// Transport.ExpectContinueTimeout; default DefaultExpectContinueTimeout),
// on the loop's clock. d ≤ 0 sends the body at once, without waiting.
func ExpectContinueTimeout(d time.Duration) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.expectContinue = d })
}

// A DialFunc connects to addr ("host:port") as asyncio.CreateConnection
// does over TCP: it calls factory for the connection's protocol, connects
// the two, and returns once the protocol's ConnectionMade has run.
// simnet.Host.CreateConnection is one.
type DialFunc func(ctx context.Context, addr string, factory func() asyncio.Protocol) (asyncio.Transport, asyncio.Protocol, error)

// Dial makes the session open its connections with dial instead of over
// TCP: to reach a server on an in-memory network, such as a
// simnet.Network's (see package aiohttptest), or through any transport of
// the caller's. Only the connecting is replaced: dial resolves addr's
// host itself (the session's DNS cache and HappyEyeballsDelay are not
// used), and what goes over the connection is as before. An https URL
// runs TLS over the transport dial returns, with the session's TLS
// configuration; a proxy, if any, is dialed with dial, and a tunnel
// through it runs over that connection as over TCP.
func Dial(dial DialFunc) SessionOption {
	return sessionOption(func(c *sessionConfig) { c.dial = dial })
}
