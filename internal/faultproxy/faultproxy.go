// Package faultproxy is a TCP proxy for tests of what a network fault
// does to a client and its server: it forwards connections to a target,
// and the test can stop the forwarding at any moment without closing
// anything (a partition: both ends see silence, as when a link goes
// down), let it go on again (the partition heals), or cut every
// connection (both ends see them close).
//
// It is test support: only _test.go files import it. It runs on
// goroutines of its own, not on a loop, since it stands for the network
// between two programs; Close stops them all and waits for them.
package faultproxy

import (
	"net"
	"sync"
	"time"
)

// A Proxy forwards the connections made to Addr to its target.
type Proxy struct {
	target string
	lis    net.Listener

	mu      sync.Mutex
	held    bool          // forwarding is stopped
	refuse  bool          // new connections are closed at once
	resumed chan struct{} // closed when forwarding goes on again
	conns   map[net.Conn]struct{}
	closed  bool

	wg sync.WaitGroup // the accept loop and every forwarding goroutine

	// holding, if set (by a test), hears of every write the partition
	// holds back.
	holding chan struct{}
}

// Start listens on a port of 127.0.0.1 and forwards what comes to
// target ("host:port").
func Start(target string) (*Proxy, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, lis: lis, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept() // ends when Close closes the listener
	return p, nil
}

// Addr is the address the proxy listens on, for the client to dial.
func (p *Proxy) Addr() string { return p.lis.Addr().String() }

// Partition stops forwarding in both directions: bytes already read are
// held, connections stay open, new connections are accepted but carry
// nothing. It is a link gone silent, which only timeouts notice.
func (p *Proxy) Partition() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.held {
		p.held = true
		p.resumed = make(chan struct{})
	}
}

// Heal lets the forwarding go on, with what was held first.
func (p *Proxy) Heal() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held {
		p.held = false
		close(p.resumed)
	}
}

// Refuse makes the proxy close new connections at once, as a host with
// nothing listening would refuse them, or, with on false, take them
// again. Open connections are left be.
func (p *Proxy) Refuse(on bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refuse = on
}

// Cut closes every connection through the proxy, both ends, as a
// restart of the network between them would; the proxy goes on taking
// new ones.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// Close stops the proxy: it closes the listener and every connection,
// and returns when its goroutines have ended.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	if p.held {
		p.held = false
		close(p.resumed)
	}
	p.mu.Unlock()
	err := p.lis.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.lis.Accept()
		if err != nil {
			return // closed
		}
		p.mu.Lock()
		refuse := p.refuse
		p.mu.Unlock()
		if refuse {
			client.Close()
			continue
		}
		server, err := net.DialTimeout("tcp", p.target, dialTimeout)
		if err != nil {
			client.Close()
			continue
		}
		if !p.track(client, server) {
			return
		}
		p.wg.Add(2)
		// Each goroutine copies one way, and ends when either side of
		// its copy closes (Cut, Close, or a peer).
		go p.pipe(server, client)
		go p.pipe(client, server)
	}
}

// dialTimeout bounds a connection to the target, so that a target that
// does not answer does not hold the accept loop.
const dialTimeout = 2 * time.Second

// track lists the two ends of a connection, unless the proxy is closed
// or refusing.
func (p *Proxy) track(a, b net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed || p.refuse {
		a.Close()
		b.Close()
		return false
	}
	p.conns[a], p.conns[b] = struct{}{}, struct{}{}
	return true
}

// pipe copies from src to dst, waiting while the proxy is partitioned.
func (p *Proxy) pipe(dst, src net.Conn) {
	defer p.wg.Done()
	defer func() {
		dst.Close()
		src.Close()
		p.mu.Lock()
		delete(p.conns, dst)
		delete(p.conns, src)
		p.mu.Unlock()
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.wait() {
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return // a connection closed at one end closes at the other
		}
	}
}

// wait blocks while the proxy is partitioned; it reports false if the
// proxy closed meanwhile.
func (p *Proxy) wait() bool {
	p.mu.Lock()
	held, resumed, closed := p.held, p.resumed, p.closed
	p.mu.Unlock()
	if held {
		if p.holding != nil {
			p.holding <- struct{}{}
		}
		<-resumed
		p.mu.Lock()
		closed = p.closed
		p.mu.Unlock()
	}
	return !closed
}
