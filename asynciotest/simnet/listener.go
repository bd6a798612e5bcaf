package simnet

import (
	"context"
	"net"
	"slices"

	"github.com/asyncio-go/asyncio"
)

// A Listener accepts the connections dialed to one port of a host, for
// Host.CreateServer or Host.StartServer: a listening socket and its
// asyncio.Server in one.
type Listener struct {
	host     *Host
	addr     Addr
	factory  func() asyncio.Protocol
	conns    []*conn
	handlers int // StartServer's handlers running
	closed   bool
	done     *asyncio.Event // set once closed, every connection ended, every handler returned
}

// Addr returns the address the listener listens on.
func (l *Listener) Addr() net.Addr { return l.addr }

// Close stops listening: dials to the port are refused from now on. The
// connections already accepted go on until they end; CloseClients and
// AbortClients end them.
func (l *Listener) Close() {
	if l.closed {
		return
	}
	l.closed = true
	if l.host.ports[l.addr.Port] == l {
		delete(l.host.ports, l.addr.Port)
	}
	l.maybeDone()
}

// WaitClosed waits until the listener is closed, every connection it
// accepted has ended and, for StartServer, every handler has returned, as
// asyncio.Server.WaitClosed does.
func (l *Listener) WaitClosed(ctx context.Context) error { return l.done.Wait(ctx) }

func (l *Listener) maybeDone() {
	if l.closed && len(l.conns) == 0 && l.handlers == 0 {
		l.done.Set()
	}
}

// CloseClients closes every connection the listener accepted that is still
// open, each once its buffer is sent.
func (l *Listener) CloseClients() {
	for _, c := range slices.Clone(l.conns) {
		c.Close()
	}
}

// AbortClients aborts every connection the listener accepted that is still
// open.
func (l *Listener) AbortClients() {
	for _, c := range slices.Clone(l.conns) {
		c.Abort()
	}
}

// accept makes the server's end of a connection a dial opened, connects
// it to a new protocol, and answers the dial.
func (l *Listener) accept(client *conn) {
	s := newConn(l.host, client.host, client.remote, client.local)
	s.peer, client.peer = client, s
	s.expect = 1 // the dial's SYN was its segment 0
	s.proto = l.factory()
	s.listener = l
	l.conns = append(l.conns, s)
	s.start(nil)
	s.send(segAccept, nil)
}

// remove forgets a connection that has ended.
func (l *Listener) remove(c *conn) {
	if i := slices.Index(l.conns, c); i >= 0 {
		l.conns = slices.Delete(l.conns, i, i+1)
	}
	l.maybeDone()
}
