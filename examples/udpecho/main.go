// Udpecho ports the asyncio documentation's "UDP echo server and client"
// with datagram protocols: the server's protocol sends every datagram
// back to its sender; the client's sends a message as soon as its
// endpoint is made, prints the echo and closes. A second client then
// sends where nobody listens, and hears of it through ErrorReceived: the
// ICMP port unreachable comes back as "connection refused". The server
// listens on a free port of 127.0.0.1 (the documentation uses 9999).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "udpecho:", err)
		os.Exit(1)
	}
}

// echoServer sends each datagram back where it came from.
type echoServer struct {
	asyncio.BaseDatagramProtocol
	w io.Writer
	t asyncio.DatagramTransport
}

func (s *echoServer) ConnectionMade(t asyncio.DatagramTransport) { s.t = t }

func (s *echoServer) DatagramReceived(p []byte, addr net.Addr) {
	fmt.Fprintf(s.w, "Server: received %q from the client, sending it back\n", p)
	s.t.SendTo(p, addr)
}

// echoClient sends message once connected, and closes when the echo, or
// an error, comes back. done is resolved when the endpoint is closed.
type echoClient struct {
	w       io.Writer
	message string
	done    *asyncio.Future[struct{}]
	t       asyncio.DatagramTransport
}

func (c *echoClient) ConnectionMade(t asyncio.DatagramTransport) {
	c.t = t
	fmt.Fprintf(c.w, "Client: send %q\n", c.message)
	t.SendTo([]byte(c.message), nil) // nil: to the endpoint's remote address
}

func (c *echoClient) DatagramReceived(p []byte, _ net.Addr) {
	fmt.Fprintf(c.w, "Client: received %q\n", p)
	fmt.Fprintln(c.w, "Client: close the socket")
	c.t.Close()
}

func (c *echoClient) ErrorReceived(err error) {
	if errors.Is(err, syscall.ECONNREFUSED) {
		err = syscall.ECONNREFUSED // the error alone: the full one names a random port
	}
	fmt.Fprintln(c.w, "Client: error received:", err)
	c.t.Close()
}

func (c *echoClient) ConnectionLost(error) {
	fmt.Fprintln(c.w, "Client: connection closed")
	c.done.SetResult(struct{}{})
}

// client runs one echoClient against addr until its endpoint is closed,
// or for at most five seconds.
func client(ctx context.Context, w io.Writer, addr, message string) error {
	c := &echoClient{w: w, message: message, done: asyncio.NewFuture[struct{}](ctx)}
	t, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "", addr, func() asyncio.DatagramProtocol { return c })
	if err != nil {
		return err
	}
	_, err = asyncio.WaitFor(ctx, 5*time.Second, c.done.Wait)
	if errors.Is(err, asyncio.ErrTimeout) {
		fmt.Fprintln(w, "Client: no answer")
		t.Close()
		_, err = c.done.Wait(ctx)
	}
	return err
}

// run runs the program on a new loop configured by opts, printing to w.
func run(w io.Writer, opts ...asyncio.Option) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		fmt.Fprintln(w, "Starting UDP server on 127.0.0.1 (a free port)")
		server, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return &echoServer{w: w} })
		if err != nil {
			return struct{}{}, err
		}
		defer server.Close()
		if err := client(ctx, w, server.LocalAddr().String(), "Hello World!"); err != nil {
			return struct{}{}, err
		}

		// A port the system just handed out and took back: nobody
		// listens there.
		probe, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return asyncio.BaseDatagramProtocol{} })
		if err != nil {
			return struct{}{}, err
		}
		nobody := probe.LocalAddr().String()
		probe.Close()
		fmt.Fprintln(w, "Now to a port nobody listens on")
		return struct{}{}, client(ctx, w, nobody, "Anybody there?")
	}, opts...)
	return err
}
