package simnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

// A Host is a machine on a simulated network, known by its name: it
// listens, dials, and sends datagrams. Network.Host makes one.
type Host struct {
	net       *Network
	name      string
	ports     map[int]*Listener
	endpoints map[int]*endpoint
	nextPort  int
}

// Name returns the host's name.
func (h *Host) Name() string { return h.name }

// freePort returns a port nothing on the host listens on or sends from.
func (h *Host) freePort() int {
	for {
		p := h.nextPort
		h.nextPort++
		if h.nextPort > 65535 {
			h.nextPort = firstEphemeralPort
		}
		if h.ports[p] == nil && h.endpoints[p] == nil {
			return p
		}
	}
}

// localAddr resolves the address a listener or an endpoint of the host
// asks for: ":port" or "name:port" with the host's own name, port 0 for a
// free one.
func (h *Host) localAddr(addr string) (Addr, error) {
	a, err := parseAddr(addr)
	if err != nil {
		return Addr{}, err
	}
	if a.Host != "" && a.Host != h.name {
		return Addr{}, fmt.Errorf("simnet: host %s cannot use address %s", h.name, addr)
	}
	a.Host = h.name
	if a.Port == 0 {
		a.Port = h.freePort()
	}
	return a, nil
}

// CreateServer listens on addr (":port", or "name:port" with the host's
// own name; port 0 picks a free port) and, for each connection, calls
// factory for a Protocol and connects it to the connection's Transport, as
// asyncio.CreateServer does on a real network.
func (h *Host) CreateServer(ctx context.Context, addr string, factory func() asyncio.Protocol) (*Listener, error) {
	a, err := h.localAddr(addr)
	if err != nil {
		return nil, err
	}
	if h.ports[a.Port] != nil {
		return nil, &net.OpError{Op: "listen", Net: "simnet", Addr: a, Err: syscall.EADDRINUSE}
	}
	l := &Listener{host: h, addr: a, factory: factory, done: asyncio.NewEvent()}
	h.ports[a.Port] = l
	return l, nil
}

// StartServer listens on addr as CreateServer does and runs handler as a
// new task for each connection, with the connection's reader and writer,
// as asyncio.StartServer does: the handler's ctx carries ctx's values, the
// connection is closed when the handler returns, and an error it returns,
// other than a cancellation or io.EOF, goes to the loop's exception handler.
func (h *Host) StartServer(ctx context.Context, addr string, handler func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error) (*Listener, error) {
	loop := asyncio.RunningLoop(ctx)
	if loop == nil {
		return nil, asyncio.ErrNoTask
	}
	var l *Listener
	l, err := h.CreateServer(ctx, addr, func() asyncio.Protocol {
		return &handlerProtocol{StreamProtocol: asyncio.NewStreamProtocol(0), ctx: ctx, loop: loop, listener: l, handler: handler}
	})
	return l, err
}

// handlerProtocol is the protocol of a connection StartServer accepted:
// a StreamProtocol that starts the handler once the connection is made.
type handlerProtocol struct {
	*asyncio.StreamProtocol
	ctx      context.Context
	loop     *asyncio.Loop
	listener *Listener
	handler  func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error
}

func (p *handlerProtocol) ConnectionMade(t asyncio.Transport) {
	p.StreamProtocol.ConnectionMade(t)
	r, w, l := p.Reader(), p.Writer(), p.listener
	// The task belongs to the connection and is counted by the listener,
	// whose WaitClosed waits for it: it ends when the handler returns,
	// and closes the connection.
	l.handlers++
	asyncio.Spawn(p.ctx, func(ctx context.Context) (struct{}, error) {
		defer func() {
			w.Close()
			l.handlers--
			l.maybeDone()
		}()
		if err := p.handler(ctx, r, w); err != nil && !errors.Is(err, context.Canceled) && !errors.Is(err, io.EOF) {
			p.loop.CallExceptionHandler(asyncio.ExceptionContext{Message: "simnet: stream handler failed", Err: err})
		}
		return struct{}{}, nil
	}, asyncio.Name("stream handler"))
}

// CreateConnection connects to addr ("host:port") from the host, calls
// factory for a Protocol and connects it to the connection's Transport,
// and returns both once ConnectionMade has run, as asyncio.CreateConnection
// does on a real network. It waits a round trip at the least, and across
// a partition until the user timeout (or until ctx ends).
func (h *Host) CreateConnection(ctx context.Context, addr string, factory func() asyncio.Protocol) (asyncio.Transport, asyncio.Protocol, error) {
	c, err := h.dial(ctx, addr)
	if err != nil {
		return nil, nil, err
	}
	p := factory()
	c.proto = p
	made := asyncio.NewFuture[struct{}](ctx)
	c.start(func() { made.TrySetResult(struct{}{}) })
	if _, err := made.Wait(ctx); err != nil {
		c.Abort()
		return nil, nil, err
	}
	if c.lost { // reset, or timed out, before the protocol could have it
		err := errors.Unwrap(c.err)
		if err == nil {
			err = syscall.ECONNRESET
		}
		return nil, nil, &net.OpError{Op: "dial", Net: "simnet", Source: c.local, Addr: c.remote, Err: err}
	}
	return c, p, nil
}

// OpenConnection connects to addr ("host:port") from the host and returns
// the connection's reader and writer, as asyncio.OpenConnection does on a
// real network.
func (h *Host) OpenConnection(ctx context.Context, addr string) (*asyncio.StreamReader, *asyncio.StreamWriter, error) {
	p := asyncio.NewStreamProtocol(0)
	if _, _, err := h.CreateConnection(ctx, addr, func() asyncio.Protocol { return p }); err != nil {
		return nil, nil, err
	}
	return p.Reader(), p.Writer(), nil
}

// dial opens a connection to addr and waits until it is established.
func (h *Host) dial(ctx context.Context, addr string) (*conn, error) {
	if asyncio.RunningLoop(ctx) != h.net.loop {
		return nil, fmt.Errorf("simnet: dial from a ctx of another loop than the network's")
	}
	remote, err := parseAddr(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "simnet", Err: err}
	}
	local := Addr{Host: h.name, Port: h.freePort()}
	server := h.net.hosts[remote.Host]
	if server == nil {
		return nil, &net.OpError{Op: "dial", Net: "simnet", Source: local, Addr: remote,
			Err: &net.DNSError{Err: "no such host", Name: remote.Host, IsNotFound: true}}
	}
	c := newConn(h, server, local, remote)
	c.nextSeq = 1 // the SYN is segment 0
	done := asyncio.NewFuture[struct{}](ctx)
	c.dialed = func(err error) {
		if err != nil {
			done.TrySetError(&net.OpError{Op: "dial", Net: "simnet", Source: local, Addr: remote, Err: err})
		} else {
			done.TrySetResult(struct{}{})
		}
	}
	syn := h.net.sendReliably(c.route, headerSize, func() { server.syn(c) }, func() { c.dialFailed(syscall.ETIMEDOUT) })
	// The answer, too, may be lost until the dial gives up: the dial
	// has the user timeout in all.
	deadline := h.net.loop.CallLater(h.net.userTimeout, func() { c.dialFailed(syscall.ETIMEDOUT) })
	defer deadline.Cancel()
	if _, err := done.Wait(ctx); err != nil {
		// Given up: the SYN is sent no more, and an answer that comes
		// anyway finds the connection closed, and resets it.
		syn.stop()
		c.abandon()
		return nil, err
	}
	return c, nil
}

// syn runs when a dial's first packet reaches the host: a listener on the
// port accepts the connection, and answers; without one, the host refuses
// it.
func (h *Host) syn(client *conn) {
	l := h.ports[client.remote.Port]
	back := route{h.name, client.host.name}
	if l == nil {
		// The refusal is sent until it arrives, as the dial would send
		// its SYN again and be refused again.
		h.net.sendReliably(back, headerSize, func() { client.dialFailed(syscall.ECONNREFUSED) }, func() { client.dialFailed(syscall.ETIMEDOUT) })
		return
	}
	l.accept(client)
}
