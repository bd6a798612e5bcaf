package aiohttp

import (
	"container/list"
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
	dial           DialFunc // nil: TCP
	total          int
	perKey         map[string]int
	idle           map[string][]*clientConn
	all            map[*clientConn]struct{}
	// waiters are the requests waiting for a connection, first come
	// first served (*poolWaiter). A freed connection wakes one of them,
	// not all: with thousands waiting, waking all for each would make
	// the loop do work in proportion to them at every release.
	waiters list.List
	// freed is set, and replaced by a new event, whenever a connection
	// stops counting or becomes idle; close waits on it.
	freed  *asyncio.Event
	closed bool
	l      *asyncio.Loop
	dns    *dnsCache
	trace  *traceList
}

func newPool(l *asyncio.Loop, cfg *sessionConfig) *pool {
	return &pool{
		l: l, limit: cfg.limit, happyEyeballs: cfg.happyEyeballs, dial: cfg.dial, perHost: cfg.limitPerHost, keepAlive: cfg.keepAlive,
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
// allow, or waits in line until one of them is possible. reused says
// which. fresh asks for a new connection, closing an idle one of key if
// the limits call for it.
func (p *pool) get(ctx context.Context, spec dialSpec, dl deadlines, fresh bool) (c *clientConn, reused bool, err error) {
	connectBy, kind, waitBy, waitKind := dl.poolBounds(asyncio.RunningLoop(ctx))
	first := false
	for {
		if p.closed {
			return nil, false, ErrSessionClosed
		}
		if !fresh {
			if c := p.popIdle(spec.key); c != nil {
				p.trace.connectionReuse(ctx)
				return c, true, nil
			}
		}
		if p.canOpen(spec.key) {
			return p.open(ctx, spec, dl, connectBy, kind)
		}
		if fresh {
			if c := p.popIdle(spec.key); c != nil {
				c.abort()
				p.drop(c)
				continue
			}
		}
		if p.limit > 0 && p.total >= p.limit && p.closeOldestIdle() {
			continue
		}
		if err := p.wait(ctx, spec.key, first, waitBy, waitKind); err != nil {
			return nil, false, err
		}
		// Woken, it may still find the connection taken by a request
		// that came meanwhile: it then waits again, first in line.
		first = true
	}
}

// wait puts the caller in the line for a connection of key (anyKey: of
// any key), at its front if front, and waits until it is woken, or the
// loop time by, which ends the wait as a timeout of kind.
func (p *pool) wait(ctx context.Context, key string, front bool, by time.Duration, kind string) error {
	w := &poolWaiter{key: key, ready: asyncio.NewEvent()}
	if front {
		w.elem = p.waiters.PushFront(w)
	} else {
		w.elem = p.waiters.PushBack(w)
	}
	p.trace.connectionQueuedStart(ctx)
	err := waitUntil(ctx, by, kind, w.ready.Wait)
	p.trace.connectionQueuedEnd(ctx)
	if !w.woken {
		p.waiters.Remove(w.elem)
	} else if err != nil {
		p.wakeNext() // hand on the wake-up this waiter will not use
	}
	return err
}

// anyKey is the key of a waiter for a connection of any key.
const anyKey = ""

// awaitRoom waits, while the pool is at its Limit with no connection
// idle, until it could give a connection to a request. A request calls
// it before it starts, so that, of thousands started at once, those that
// must wait do so early, with little done and a small stack, rather than
// each going through the whole of its sending first, in one turn of the
// loop. The request's own get then takes the connection.
func (p *pool) awaitRoom(ctx context.Context, dl deadlines) error {
	if p.limit <= 0 || p.total < p.limit || p.hasIdle() || p.closed {
		return nil
	}
	_, _, waitBy, waitKind := dl.poolBounds(asyncio.RunningLoop(ctx))
	return p.wait(ctx, anyKey, false, waitBy, waitKind)
}

// poolWaiter is a request in the pool's line.
type poolWaiter struct {
	key   string
	ready *asyncio.Event
	elem  *list.Element
	woken bool // taken out of the line by wakeNext
}

// wakeNext wakes the first waiter that could now get a connection. Only
// waiters held back by LimitPerHost are passed over.
func (p *pool) wakeNext() {
	for e := p.waiters.Front(); e != nil; e = e.Next() {
		w := e.Value.(*poolWaiter)
		var ok bool
		if w.key == anyKey {
			ok = p.total < p.limit || p.hasIdle()
		} else {
			ok = len(p.idle[w.key]) > 0 || p.canOpen(w.key) || p.limit > 0 && p.total >= p.limit && p.hasIdle()
		}
		if ok {
			p.waiters.Remove(e)
			w.woken = true
			w.ready.Set()
			return
		}
	}
}

// hasIdle reports whether any connection is idle.
func (p *pool) hasIdle() bool {
	for _, list := range p.idle {
		if len(list) > 0 {
			return true
		}
	}
	return false
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
		if err := p.connect(ctx, spec, c); err != nil {
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

// connect connects c to spec.addr, over TCP or with the session's
// DialFunc, with TLS if spec says so: with the server, or with an HTTPS
// proxy (a tunnel then runs its own TLS with the server inside).
func (p *pool) connect(ctx context.Context, spec dialSpec, c *clientConn) error {
	factory := func() asyncio.Protocol { return c }
	if p.dial != nil {
		t, _, err := p.dial(ctx, spec.addr, factory)
		if err != nil {
			return err
		}
		if spec.tls == nil {
			return nil
		}
		t, err = asyncio.StartTLS(ctx, t, spec.tls)
		if err != nil {
			// StartTLS aborted the connection, whose end it had taken
			// over: c will hear nothing more of it.
			c.t = nil
			return err
		}
		c.t = t
		return nil
	}
	opts := []asyncio.ConnOption{
		asyncio.HappyEyeballsDelay(p.happyEyeballs),
		asyncio.WithResolver(func(ctx context.Context, host string) ([]net.IPAddr, error) {
			return p.dns.lookup(ctx, host)
		}),
	}
	if spec.tls != nil {
		opts = append(opts, asyncio.TLS(spec.tls))
	}
	_, _, err := asyncio.CreateConnection(ctx, "tcp", spec.addr, factory, opts...)
	return err
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
	c.sent, c.answered = false, false
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

// notify tells close, and the first waiter that can use it, that a
// connection was freed.
func (p *pool) notify() {
	old := p.freed
	p.freed = asyncio.NewEvent()
	old.Set()
	p.wakeNext()
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
	for e := p.waiters.Front(); e != nil; e = p.waiters.Front() {
		w := p.waiters.Remove(e).(*poolWaiter)
		w.woken = true
		w.ready.Set()
	}
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
