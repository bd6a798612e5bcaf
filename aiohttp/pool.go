package aiohttp

import (
	"context"
	"crypto/tls"
	"net"
	"time"

	"github.com/asyncio-go/asyncio"
)

// Defaults of the connection pool (aiohttp's TCPConnector).
const (
	DefaultLimit                   = 100
	DefaultSessionKeepAliveTimeout = 15 * time.Second
	DefaultDNSCacheTTL             = 10 * time.Second
)

// pool holds a session's connections, keyed by scheme and address
// (aiohttp's TCPConnector). It is confined to the session's loop.
type pool struct {
	limit, perHost int
	keepAlive      time.Duration
	addrs          map[dialAddrKey]dialAddr // see dialAddrOf
	happyEyeballs  time.Duration
	total          int
	perKey         map[string]int
	idle           map[string][]*clientConn
	all            map[*clientConn]struct{}
	// freed is set, and replaced by a new event, whenever a connection
	// stops counting or becomes idle: waiters for a connection wait on
	// the one they saw.
	freed  *asyncio.Event
	closed bool
	l      *asyncio.Loop
	dns    *dnsCache
	trace  *traceList
}

func newPool(l *asyncio.Loop, cfg *sessionConfig) *pool {
	return &pool{
		l: l, limit: cfg.limit, happyEyeballs: cfg.happyEyeballs, perHost: cfg.limitPerHost, keepAlive: cfg.keepAlive,
		perKey: map[string]int{}, idle: map[string][]*clientConn{}, all: map[*clientConn]struct{}{},
		freed: asyncio.NewEvent(), dns: newDNSCache(cfg.dnsTTL, &cfg.trace), trace: &cfg.trace,
	}
}

// dialSpec says where and how to connect.
type dialSpec struct {
	key     string // scheme://host:port, with the proxy if any
	addr    string // host:port to connect to
	tls     *tls.Config
	connect func(ctx context.Context, c *clientConn) error // after connecting: CONNECT through a proxy
	// proxyAuth is the Proxy-Authorization of requests to an HTTP proxy.
	proxyAuth string
}

// get returns an idle connection for key, or a new one when the limits
// allow, or waits until one of them is possible. reused says which.
func (p *pool) get(ctx context.Context, spec dialSpec, dl deadlines) (c *clientConn, reused bool, err error) {
	l := asyncio.RunningLoop(ctx)
	connectBy, kind := dl.after(l, dl.timeouts.Connect, "connect")
	for {
		if p.closed {
			return nil, false, ErrSessionClosed
		}
		if c := p.popIdle(spec.key); c != nil {
			p.trace.connectionReuse(ctx)
			return c, true, nil
		}
		if p.canOpen(spec.key) {
			return p.open(ctx, spec, dl, connectBy, kind)
		}
		if p.limit > 0 && p.total >= p.limit && p.closeOldestIdle() {
			continue
		}
		p.trace.connectionQueuedStart(ctx)
		freed := p.freed
		err := waitUntil(ctx, connectBy, kind, freed.Wait)
		p.trace.connectionQueuedEnd(ctx)
		if err != nil {
			return nil, false, err
		}
	}
}

func (p *pool) canOpen(key string) bool {
	return (p.limit <= 0 || p.total < p.limit) && (p.perHost <= 0 || p.perKey[key] < p.perHost)
}

// open connects a new connection, counted from before the attempt so
// that concurrent attempts respect the limits.
func (p *pool) open(ctx context.Context, spec dialSpec, dl deadlines, connectBy time.Duration, kind string) (*clientConn, bool, error) {
	c := newClientConn(p, spec.key)
	p.total++
	p.perKey[spec.key]++
	p.all[c] = struct{}{}
	p.trace.connectionCreateStart(ctx)
	by, k := connectBy, kind
	if dl.timeouts.SockConnect > 0 {
		if at := asyncio.RunningLoop(ctx).Time() + dl.timeouts.SockConnect; at < by {
			by, k = at, "sock_connect"
		}
	}
	err := waitUntil(ctx, by, k, func(ctx context.Context) error {
		opts := []asyncio.ConnOption{
			asyncio.HappyEyeballsDelay(p.happyEyeballs),
			asyncio.WithResolver(func(ctx context.Context, host string) ([]net.IPAddr, error) {
				return p.dns.lookup(ctx, host)
			}),
		}
		if spec.tls != nil {
			// TLS with the server, or with an HTTPS proxy (a tunnel then
			// runs its own TLS with the server inside).
			opts = append(opts, asyncio.TLS(spec.tls))
		}
		_, _, err := asyncio.CreateConnection(ctx, "tcp", spec.addr, func() asyncio.Protocol { return c }, opts...)
		if err != nil {
			return err
		}
		if spec.connect != nil {
			return spec.connect(ctx, c)
		}
		return nil
	})
	if err != nil {
		if c.t == nil {
			delete(p.all, c) // no transport was made
		}
		c.abort()
		p.drop(c)
		return nil, false, err
	}
	if p.closed {
		c.abort() // the session closed while we connected
		return nil, false, ErrSessionClosed
	}
	p.trace.connectionCreateEnd(ctx)
	return c, false, nil
}

func (p *pool) popIdle(key string) *clientConn {
	list := p.idle[key]
	for len(list) > 0 {
		c := list[len(list)-1]
		list = list[:len(list)-1]
		p.idle[key] = list
		c.idle = false
		c.idleTimer.Cancel()
		c.idleTimer = nil
		if !c.closed && !c.eof {
			return c
		}
		c.abort()
	}
	delete(p.idle, key)
	return nil
}

// closeOldestIdle closes an idle connection of any key to make room
// under the total limit, as aiohttp does.
func (p *pool) closeOldestIdle() bool {
	for key, list := range p.idle {
		if len(list) > 0 {
			c := list[0]
			p.idle[key] = list[1:]
			c.idle = false
			c.idleTimer.Cancel()
			c.abort()
			p.drop(c)
			return true
		}
	}
	return false
}

// put makes c idle for reuse, or closes it if it cannot be reused.
func (p *pool) put(c *clientConn) {
	if p.closed || c.closed || c.eof || len(c.data()) > 0 {
		c.abort()
		p.drop(c)
		return
	}
	c.freeBuffer()
	c.idle = true
	// The timer is cancelled when the connection is taken again, not left
	// pending to be re-armed as the server's is: a virtual clock jumps to
	// pending timers while the loop waits for I/O, and would then move
	// during requests.
	c.idleTimer = p.l.CallLater(p.keepAlive, c.onIdleTimer)
	p.idle[c.key] = append(p.idle[c.key], c)
	p.notify()
}

// drop stops counting c, which is closed or closing.
func (p *pool) drop(c *clientConn) {
	if c.dropped {
		return
	}
	c.dropped = true
	if c.idle {
		c.idle = false
		c.idleTimer.Cancel()
		list := p.idle[c.key]
		for i, x := range list {
			if x == c {
				p.idle[c.key] = append(list[:i:i], list[i+1:]...)
				break
			}
		}
	}
	c.freeBuffer()
	p.total--
	if p.perKey[c.key]--; p.perKey[c.key] <= 0 {
		delete(p.perKey, c.key)
	}
	p.notify()
}

func (p *pool) notify() {
	old := p.freed
	p.freed = asyncio.NewEvent()
	old.Set()
}

// forget removes c, whose connection is gone, from the pool's list.
func (p *pool) forget(c *clientConn) {
	delete(p.all, c)
	p.drop(c)
	p.notify()
}

// close aborts every connection and waits until each is gone.
func (p *pool) close(ctx context.Context) error {
	p.closed = true
	for c := range p.all {
		c.abort()
	}
	for {
		if len(p.all) == 0 {
			return nil
		}
		freed := p.freed
		if err := freed.Wait(ctx); err != nil {
			return err
		}
	}
}
