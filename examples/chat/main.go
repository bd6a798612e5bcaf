//go:build unix

// Chat is a chat server made with StartServer: every line a client sends
// goes to every other client, prefixed with the sender's name, and the
// room is told when someone joins or leaves. The first line a client
// sends is its name.
//
// The room is a plain slice shared by the connections' handlers. They all
// run on one loop, one at a time, and switch only where they wait, so it
// needs no lock; and because a broadcast never waits, nobody can join or
// leave in the middle of one.
//
// The program runs the server and a scripted conversation between three
// clients in the same process, prints what each client hears, and exits.
// The server listens on a free port of 127.0.0.1.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "chat:", err)
		os.Exit(1)
	}
}

// A member is one connected client.
type member struct {
	name    string
	w       *asyncio.StreamWriter
	dropped bool // cut off by the room for not reading
}

// A room is the server's state: its members, in the order they joined.
type room struct {
	members []*member
}

// serve is the connection handler: it reads the client's name, then
// relays each line the client sends until the client closes.
func (rm *room) serve(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	name, err := r.ReadLine(ctx)
	if err != nil {
		return err // gone before saying who it is: io.EOF, which is no failure
	}
	m := &member{name: strings.TrimSpace(string(name)), w: w}
	if m.name == "" {
		m.name = "anonymous"
	}
	w.Write([]byte(rm.welcome(m)))
	rm.broadcast(m, "* "+m.name+" joined")
	rm.members = append(rm.members, m)
	defer rm.leave(m)
	for {
		line, err := r.ReadLine(ctx)
		switch {
		case errors.Is(err, asyncio.ErrLineTooLong):
			w.Write([]byte("* line too long, not sent\n"))
			continue
		case err != nil:
			return err // io.EOF when the client left, which is no failure
		}
		rm.broadcast(m, "["+m.name+"] "+strings.TrimRight(string(line), "\r\n"))
	}
}

// welcome is the first line a new member hears.
func (rm *room) welcome(m *member) string {
	if len(rm.members) == 0 {
		return "* welcome " + m.name + "; nobody else is here\n"
	}
	names := make([]string, len(rm.members))
	for i, o := range rm.members {
		names[i] = o.name
	}
	return "* welcome " + m.name + "; here: " + strings.Join(names, ", ") + "\n"
}

// leave removes m from the room and tells the others. It runs when m's
// handler returns, however its connection ended: closed by the client,
// lost, or cut off by broadcast.
func (rm *room) leave(m *member) {
	rm.members = slices.DeleteFunc(rm.members, func(o *member) bool { return o == m })
	if m.dropped {
		rm.broadcast(nil, "* "+m.name+" was dropped: not reading fast enough")
	} else {
		rm.broadcast(nil, "* "+m.name+" left")
	}
}

// broadcast sends line to every member but from, and never waits.
//
// Waiting for each member in turn (a Drain per member) would let one
// client that does not read hold up the whole room, and a Drain with a
// timeout only shortens the hold-up. Instead a member whose connection
// has more queued than its high-water mark, the point at which Drain
// would wait, is dropped: its client is not keeping up, and its backlog
// would otherwise grow without bound. The kernel's socket buffers absorb
// the bursts of a client that merely reads late.
//
// A member whose connection is lost (its client vanished, perhaps while
// this very line was on its way) fails the Write or takes the line into
// a buffer that will never be sent. Either way that is no error of the
// sender's: the member's own handler sees the end of its stream and
// removes it.
func (rm *room) broadcast(from *member, line string) {
	data := []byte(line + "\n")
	for _, m := range rm.members {
		if m == from || m.dropped {
			continue
		}
		if err := m.w.Write(data); err != nil {
			continue
		}
		tr := m.w.Transport()
		if high, _ := tr.WriteBufferLimits(); tr.WriteBufferSize() > high {
			// Abort, not Close: Close would wait to send the backlog.
			// The member's handler then sees the end of its stream.
			m.dropped = true
			tr.Abort()
		}
	}
}

// A client is one participant of the scripted conversation.
type client struct {
	name string
	r    *asyncio.StreamReader
	w    *asyncio.StreamWriter
}

// A script runs the clients' side of the conversation and prints what
// they do and hear. Its first error stops it: every step after it does
// nothing, and err holds it (the errWriter pattern of "Errors are
// values"), so that the conversation reads as a list of steps.
type script struct {
	ctx  context.Context
	out  io.Writer
	addr string
	err  error
}

// join connects a client named name, which then hears its welcome.
func (s *script) join(name string) *client {
	if s.err != nil {
		return nil
	}
	fmt.Fprintf(s.out, "%s joins\n", name)
	r, w, err := asyncio.OpenConnection(s.ctx, s.addr)
	if err != nil {
		s.err = err
		return nil
	}
	c := &client{name: name, r: r, w: w}
	s.send(c, name)
	s.hear(c)
	return c
}

// say has c send text to the room.
func (s *script) say(c *client, text string) {
	if s.err != nil {
		return
	}
	fmt.Fprintf(s.out, "%s says: %s\n", c.name, text)
	s.send(c, text)
}

func (s *script) send(c *client, line string) {
	if s.err != nil {
		return
	}
	if s.err = c.w.Write([]byte(line + "\n")); s.err == nil {
		s.err = c.w.Drain(s.ctx)
	}
}

// hear has each of cs read the next line from the room, and prints it.
func (s *script) hear(cs ...*client) {
	for _, c := range cs {
		if s.err != nil {
			return
		}
		line, err := c.r.ReadLine(s.ctx)
		switch {
		case errors.Is(err, io.EOF):
			s.err = fmt.Errorf("%s: the server closed the connection", c.name)
		case err != nil:
			s.err = err
		default:
			fmt.Fprintf(s.out, "    %s hears: %s", c.name, line)
		}
	}
}

// leave closes c's connection and waits until it is closed.
func (s *script) leave(c *client) {
	if s.err != nil {
		return
	}
	fmt.Fprintf(s.out, "%s leaves\n", c.name)
	c.w.Close()
	s.err = c.w.WaitClosed(s.ctx)
}

// drop cuts c's connection at once, without a goodbye, as when its
// machine vanishes from the network.
func (s *script) drop(c *client) {
	if s.err != nil {
		return
	}
	fmt.Fprintf(s.out, "%s's connection drops\n", c.name)
	c.w.Transport().Abort()
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		server, err := asyncio.StartServer(ctx, "127.0.0.1:0", new(room).serve)
		if err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "Serving on 127.0.0.1 (a free port)")
		s := &script{ctx: ctx, out: w, addr: server.Addrs()[0].String()}
		converse(s)
		server.Close()
		if s.err != nil {
			return struct{}{}, s.err
		}
		if err := server.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		fmt.Fprintln(w, "Server closed")
		return struct{}{}, nil
	}, opts...)
	return err
}

// converse is the conversation. Each step waits until everyone has heard
// what the step before said, so the order of the transcript is fixed.
func converse(s *script) {
	alice := s.join("alice")
	bob := s.join("bob")
	s.hear(alice)
	s.say(alice, "hi bob")
	s.hear(bob)
	carol := s.join("carol")
	s.hear(alice, bob)
	s.say(bob, "hello both")
	s.hear(alice, carol)
	// The server sees the end of carol's stream and tells the others.
	s.drop(carol)
	s.hear(alice, bob)
	s.say(alice, "bye")
	s.hear(bob)
	s.leave(alice)
	s.hear(bob)
	s.leave(bob)
}
