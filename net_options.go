package asyncio

import (
	"context"
	"crypto/tls"
	"net"
	"time"
)

// The networking calls take options of their own kinds: a ConnOption for
// CreateConnection and OpenConnection, a ServerOption for CreateServer and
// StartServer, a DatagramOption for CreateDatagramEndpoint, a TLSOption
// for TLS and StartTLS. An option that means the same thing to several
// calls (Limit, TLS, ReusePort) is one value of a type that is each of
// their kinds, so it is written once whichever call it is given to.

// A ConnOption configures CreateConnection and OpenConnection.
type ConnOption interface{ applyConn(*connConfig) }

// A ServerOption configures CreateServer and StartServer.
type ServerOption interface{ applyServer(*serverConfig) }

// A DatagramOption configures CreateDatagramEndpoint.
type DatagramOption interface{ applyDatagram(*datagramConfig) }

// A StreamOption configures both ends of a connection: it is a ConnOption
// and a ServerOption.
type StreamOption interface {
	ConnOption
	ServerOption
}

// A SocketOption configures a listening or datagram socket: it is a
// ServerOption and a DatagramOption.
type SocketOption interface {
	ServerOption
	DatagramOption
}

type connOption func(*connConfig)

func (o connOption) applyConn(c *connConfig) { o(c) }

type serverOption func(*serverConfig)

func (o serverOption) applyServer(c *serverConfig) { o(c) }

type datagramOption func(*datagramConfig)

func (o datagramOption) applyDatagram(c *datagramConfig) { o(c) }

// Limit sets the limit of a stream's StreamReader (asyncio's limit; default
// DefaultStreamLimit): of the connection OpenConnection makes, or of every
// connection StartServer accepts. The protocol-level calls ignore it.
func Limit(n int) StreamOption { return limitOption(n) }

type limitOption int

func (n limitOption) applyConn(c *connConfig)     { c.limit = int(n) }
func (n limitOption) applyServer(c *serverConfig) { c.streamLimit = int(n) }

// LocalAddr binds a connection's socket to addr ("host:port"; port 0 for
// any) before connecting (asyncio's local_addr).
func LocalAddr(addr string) ConnOption { return connOption(func(c *connConfig) { c.local = addr }) }

// HappyEyeballsDelay sets how long a connection attempt to one address runs
// before the next address is tried beside it (asyncio's
// happy_eyeballs_delay; default DefaultHappyEyeballsDelay). A delay < 0
// tries the addresses one after another, each to its end, as asyncio does
// by default.
func HappyEyeballsDelay(d time.Duration) ConnOption {
	return connOption(func(c *connConfig) { c.delay = d })
}

// Interleave sets how many addresses of the first family come before the
// families alternate (asyncio's interleave; default 1).
func Interleave(n int) ConnOption { return connOption(func(c *connConfig) { c.interleave = n }) }

// WithResolver makes CreateConnection resolve the host of its address with
// resolve instead of net.DefaultResolver, so that a caller can cache or
// override lookups (aiohttp's resolver and DNS cache) and still have its
// addresses tried as Happy Eyeballs says. resolve runs in the calling
// task, with its ctx: it may wait, and must not block the loop. A host
// given as an IP address is not passed to it.
func WithResolver(resolve func(ctx context.Context, host string) ([]net.IPAddr, error)) ConnOption {
	return connOption(func(c *connConfig) { c.resolve = resolve })
}

// Backlog sets the listen backlog of a server (asyncio's backlog; default
// DefaultBacklog).
func Backlog(n int) ServerOption { return serverOption(func(c *serverConfig) { c.backlog = n }) }

// ReusePort sets SO_REUSEPORT on a server's listening sockets or on a
// datagram endpoint's socket, so that several sockets (of other processes
// or loops) can bind the same address (asyncio's reuse_port). Where the
// system has no SO_REUSEPORT, the call fails.
func ReusePort() SocketOption { return reusePortOption{} }

type reusePortOption struct{}

func (reusePortOption) applyServer(c *serverConfig)     { c.reusePort = true }
func (reusePortOption) applyDatagram(c *datagramConfig) { c.reusePort = true }

// KeepAlive turns TCP keep-alive on for every connection a server accepts
// (asyncio's keep_alive).
func KeepAlive() ServerOption { return serverOption(func(c *serverConfig) { c.keepAlive = true }) }

// Hosts makes a server listen on each of hosts, on the port its address
// names, instead of on the address's host (asyncio's sequence of hosts). A
// host that resolves to several addresses is listened on at each.
func Hosts(hosts ...string) ServerOption {
	return serverOption(func(c *serverConfig) { c.hosts = hosts })
}

// StartServing(false) makes a server that listens but accepts nothing
// until Server.StartServing or ServeForever (asyncio's start_serving=False);
// the default is to serve at once.
func StartServing(on bool) ServerOption {
	return serverOption(func(c *serverConfig) { c.deferred = !on })
}

// AllowBroadcast sets SO_BROADCAST on a datagram endpoint's socket, so
// that it may send to broadcast addresses (asyncio's allow_broadcast). As
// in asyncio, an endpoint made with it and a remote address is not
// connected: SendTo with a nil address sends to the remote address, and
// datagrams from anyone are received.
func AllowBroadcast() DatagramOption {
	return datagramOption(func(c *datagramConfig) { c.broadcast = true })
}

// TLS makes a connection or a server speak TLS with config (asyncio's ssl,
// in Go's word). A server's config must hold a certificate; each accepted
// connection's protocol gets ConnectionMade once its handshake is done, and
// a connection whose handshake fails is reported to the loop's exception
// handler and dropped. A client verifies the host of the address dialled
// unless config names a ServerName (asyncio's server_hostname), and
// CreateConnection returns once the handshake is done.
func TLS(config *tls.Config, opts ...TLSOption) StreamOption {
	return tlsOption{config, newTLSConfig(opts)}
}

type tlsOption struct {
	config *tls.Config
	opts   tlsConfig
}

func (o tlsOption) applyConn(c *connConfig)     { c.tls, c.tlsOpts = o.config, o.opts }
func (o tlsOption) applyServer(c *serverConfig) { c.tls, c.tlsOpts = o.config, o.opts }

// A TLSOption configures a TLS session: given to TLS or StartTLS.
type TLSOption func(*tlsConfig)

// TLSHandshakeTimeout bounds the TLS handshake (asyncio's
// ssl_handshake_timeout; default DefaultTLSHandshakeTimeout).
func TLSHandshakeTimeout(d time.Duration) TLSOption {
	return func(c *tlsConfig) { c.handshake = d }
}

// TLSShutdownTimeout bounds the closing exchange of a TLS connection after
// Close, past which the connection is aborted (asyncio's
// ssl_shutdown_timeout; default DefaultTLSShutdownTimeout).
func TLSShutdownTimeout(d time.Duration) TLSOption {
	return func(c *tlsConfig) { c.shutdown = d }
}

// ServerSide makes StartTLS take the server's side of the handshake
// (asyncio's server_side=True).
func ServerSide() TLSOption { return func(c *tlsConfig) { c.server = true } }
