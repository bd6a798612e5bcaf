package aiohttp

import (
	"net"
	"net/url"
)

// maxDialAddrs bounds the pool's table of dial addresses; a session that
// talks to more hosts than that starts the table again.
const maxDialAddrs = 256

// dialAddrKey is what a dial address depends on: the URL's scheme and host.
type dialAddrKey struct{ scheme, host string }

// dialAddr is the address to connect to for a URL, host:port with the
// scheme's default port filled in, and the pool's key for it.
type dialAddr struct{ key, addr string }

// dialAddrOf returns the dial address of u, remembered from the last
// request to the same scheme and host: making it costs two allocations,
// which a session's requests to one host would otherwise pay each time.
func (p *pool) dialAddrOf(u *url.URL) dialAddr {
	k := dialAddrKey{u.Scheme, u.Host}
	if a, ok := p.addrs[k]; ok {
		return a
	}
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	addr := net.JoinHostPort(u.Hostname(), port)
	a := dialAddr{key: u.Scheme + "://" + addr, addr: addr}
	if p.addrs == nil || len(p.addrs) >= maxDialAddrs {
		p.addrs = make(map[dialAddrKey]dialAddr)
	}
	p.addrs[k] = a
	return a
}
