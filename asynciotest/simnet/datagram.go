package simnet

import (
	"context"
	"fmt"
	"net"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

// udpHeaderSize is what a datagram costs on a link beyond its payload:
// IPv4 and UDP headers.
const udpHeaderSize = 28

// endpoint is a datagram endpoint of a host: the DatagramTransport that
// Host.CreateDatagramEndpoint hands out. A datagram goes on the link as
// soon as it is sent, so the send buffer is always empty and the protocol
// is never paused; a link with a bandwidth queues datagrams on the link
// instead, where they wait their turn.
type endpoint struct {
	net        *Network
	host       *Host
	local      Addr
	remote     *Addr // the address of a connected endpoint
	proto      asyncio.DatagramProtocol
	high, low  int
	held       []datagram // arrived while reading was paused
	heldBytes  int
	readPaused bool
	delivering bool // deliverHeld is scheduled
	closing    bool
}

// A datagram is one that arrived, with the address it came from.
type datagram struct {
	data []byte
	from Addr
}

// CreateDatagramEndpoint opens a datagram endpoint on the host, as
// asyncio.CreateDatagramEndpoint does on a real network: bound to local
// (":port"; empty or port 0 for a free port) and, if remote is not empty,
// connected to remote ("host:port"), so that SendTo without an address
// sends there and only datagrams from there arrive. It returns once the
// protocol's ConnectionMade has run.
func (h *Host) CreateDatagramEndpoint(ctx context.Context, local, remote string, factory func() asyncio.DatagramProtocol) (asyncio.DatagramTransport, asyncio.DatagramProtocol, error) {
	if local == "" {
		local = ":0"
	}
	la, err := h.localAddr(local)
	if err != nil {
		return nil, nil, err
	}
	if h.endpoints[la.Port] != nil {
		return nil, nil, &net.OpError{Op: "listen", Net: "simnet", Addr: la, Err: syscall.EADDRINUSE}
	}
	e := &endpoint{net: h.net, host: h, local: la, high: asyncio.DefaultWriteHigh, low: asyncio.DefaultWriteLow}
	if remote != "" {
		ra, err := parseAddr(remote)
		if err != nil {
			return nil, nil, err
		}
		if h.net.hosts[ra.Host] == nil {
			return nil, nil, &net.OpError{Op: "dial", Net: "simnet", Source: la, Addr: ra,
				Err: &net.DNSError{Err: "no such host", Name: ra.Host, IsNotFound: true}}
		}
		e.remote = &ra
	}
	h.endpoints[la.Port] = e
	p := factory()
	e.proto = p
	made := asyncio.NewFuture[struct{}](ctx)
	h.net.loop.CallSoon(func() {
		if !e.closing {
			p.ConnectionMade(e)
		}
		made.TrySetResult(struct{}{})
	})
	if _, err := made.Wait(ctx); err != nil {
		e.Abort()
		return nil, nil, err
	}
	return e, p, nil
}

func (e *endpoint) SendTo(p []byte, addr net.Addr) error {
	if e.closing {
		return asyncio.ErrTransportClosing
	}
	to, err := e.dest(addr)
	if err != nil {
		return err
	}
	dst := e.net.hosts[to.Host]
	if dst == nil {
		return nil // sent to an address nobody has: gone, as on a real network
	}
	data, from := append([]byte(nil), p...), e.local
	e.net.send(route{e.host.name, to.Host}, len(p)+udpHeaderSize, func() { dst.datagramArrived(data, from, to) }, nil)
	return nil
}

// dest checks the address SendTo was given against the endpoint's remote
// one, as the loop's datagram transports do.
func (e *endpoint) dest(addr net.Addr) (Addr, error) {
	if addr == nil {
		if e.remote == nil {
			return Addr{}, fmt.Errorf("%w: no address, and the endpoint has no remote one", asyncio.ErrDatagramAddr)
		}
		return *e.remote, nil
	}
	a, ok := addr.(Addr)
	if !ok {
		if pa, isPtr := addr.(*Addr); isPtr && pa != nil {
			a, ok = *pa, true
		}
	}
	if !ok {
		return Addr{}, fmt.Errorf("%w: %v is not a simnet address", asyncio.ErrDatagramAddr, addr)
	}
	if e.remote != nil && a != *e.remote {
		return Addr{}, fmt.Errorf("%w: %v is not the endpoint's remote address %v", asyncio.ErrDatagramAddr, a, *e.remote)
	}
	return a, nil
}

// datagramArrived runs when a datagram reaches the host: the endpoint on
// its port takes it; without one, the host answers that the port is
// unreachable, which a connected sender hears as syscall.ECONNREFUSED.
func (h *Host) datagramArrived(p []byte, from, to Addr) {
	e := h.endpoints[to.Port]
	if e == nil {
		if src := h.net.hosts[from.Host]; src != nil {
			h.net.send(route{h.name, from.Host}, udpHeaderSize, func() { src.unreachable(from, to) }, nil)
		}
		return
	}
	e.arrived(p, from)
}

// unreachable runs when the answer that nothing listens at to reaches the
// host that sent a datagram there from from.
func (h *Host) unreachable(from, to Addr) {
	if e := h.endpoints[from.Port]; e != nil && !e.closing && e.remote != nil && *e.remote == to {
		e.proto.ErrorReceived(&net.OpError{Op: "read", Net: "simnet", Source: e.local, Addr: to, Err: syscall.ECONNREFUSED})
	}
}

// arrived delivers a datagram, or keeps it while reading is paused, up to
// a window's worth: a full socket buffer drops what comes.
func (e *endpoint) arrived(p []byte, from Addr) {
	if e.closing || e.remote != nil && from != *e.remote {
		return
	}
	if e.readPaused || len(e.held) > 0 {
		if e.heldBytes+len(p) <= window {
			e.held = append(e.held, datagram{p, from})
			e.heldBytes += len(p)
		}
		return
	}
	e.deliver(p, from)
}

func (e *endpoint) deliver(p []byte, from Addr) {
	e.proto.DatagramReceived(p, from)
	for i := range p { // p was the protocol's only during the call
		p[i] = 0xdb
	}
}

// deliverHeld delivers what arrived while reading was paused, until
// reading is paused again.
func (e *endpoint) deliverHeld() {
	e.delivering = false
	for len(e.held) > 0 && !e.readPaused && !e.closing {
		d := e.held[0]
		e.held = e.held[1:]
		e.heldBytes -= len(d.data)
		e.deliver(d.data, d.from)
	}
}

func (e *endpoint) Close() error {
	e.Abort() // nothing is ever buffered: closing is aborting
	return nil
}

func (e *endpoint) Abort() {
	if e.closing {
		return
	}
	e.closing = true
	e.held, e.heldBytes = nil, 0
	if e.host.endpoints[e.local.Port] == e {
		delete(e.host.endpoints, e.local.Port)
	}
	e.net.loop.CallSoon(func() { e.proto.ConnectionLost(nil) })
}

func (e *endpoint) IsClosing() bool { return e.closing }

func (e *endpoint) PauseReading() {
	if !e.closing {
		e.readPaused = true
	}
}

func (e *endpoint) ResumeReading() {
	if e.closing || !e.readPaused {
		return
	}
	e.readPaused = false
	if len(e.held) > 0 && !e.delivering {
		e.delivering = true
		e.net.loop.CallSoon(e.deliverHeld) // not inline: ResumeReading may come from a protocol's own call
	}
}

func (e *endpoint) IsReading() bool { return !e.readPaused && !e.closing }

func (e *endpoint) SetWriteBufferLimits(high, low int) error {
	h, l, err := writeLimits(high, low)
	if err != nil {
		return err
	}
	e.high, e.low = h, l
	return nil
}

func (e *endpoint) WriteBufferLimits() (high, low int) { return e.high, e.low }

func (e *endpoint) WriteBufferSize() int { return 0 }

func (e *endpoint) LocalAddr() net.Addr { return e.local }

func (e *endpoint) RemoteAddr() net.Addr {
	if e.remote == nil {
		return nil
	}
	return *e.remote
}

func (e *endpoint) Protocol() asyncio.DatagramProtocol { return e.proto }

func (e *endpoint) SetProtocol(p asyncio.DatagramProtocol) { e.proto = p }
