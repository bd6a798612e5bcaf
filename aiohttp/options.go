package aiohttp

import (
	"crypto/tls"
	"time"
)

// A ConnOption configures the connections of a server and of a session
// alike, and may be given to Serve and to NewSession.
type ConnOption interface {
	ServerOption
	SessionOption
}

type connOption struct {
	server  func(*serverConfig)
	session func(*sessionConfig)
}

func (o connOption) applyServer(c *serverConfig)   { o.server(c) }
func (o connOption) applySession(c *sessionConfig) { o.session(c) }

// TLS sets the TLS configuration of a server's or a session's connections
// (aiohttp's ssl, in Go's word).
//
// Given to Serve, it makes the server speak HTTPS with cfg, which must hold
// a certificate; requests then carry their connection's state in r.TLS.
// Given to NewSession, it is used for https URLs: the roots to trust and
// the client certificates; the session sets ServerName, if empty, to the
// host of each request. Either side offers "http/1.1" over ALPN when
// cfg.NextProtos is empty (on a copy of cfg).
func TLS(cfg *tls.Config) ConnOption {
	return connOption{
		server:  func(c *serverConfig) { c.tls = cfg },
		session: func(c *sessionConfig) { c.tls = cfg },
	}
}

// KeepAliveTimeout sets how long an idle keep-alive connection is kept
// open (aiohttp's keepalive_timeout, of the web server and of the
// TCPConnector): a server closes it after d without a request (net/http's
// IdleTimeout; default DefaultServerKeepAliveTimeout), a session closes a
// pooled connection unused for d (default DefaultSessionKeepAliveTimeout).
// d ≤ 0 means no limit for a server.
func KeepAliveTimeout(d time.Duration) ConnOption {
	return connOption{
		server:  func(c *serverConfig) { c.keepAliveTimeout = d },
		session: func(c *sessionConfig) { c.keepAlive = d },
	}
}
