package asyncio_test

import (
	"bytes"
	"context"
	"fmt"
	"net"

	"github.com/asyncio-go/asyncio"
)

// A line server with streams, and a client of it, on one loop.
func ExampleStartServer() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			line, err := r.ReadLine(ctx)
			if err != nil {
				return err
			}
			w.Write(bytes.ToUpper(line))
			return w.Drain(ctx)
		})
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Close()
		r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
		if err != nil {
			return struct{}{}, err
		}
		defer w.Close()
		w.Write([]byte("hello, streams\n"))
		reply, err := r.ReadLine(ctx)
		fmt.Printf("%s", reply)
		return struct{}{}, err
	})
	// Output: HELLO, STREAMS
}

// upper answers each datagram with its upper case.
type upper struct {
	asyncio.BaseDatagramProtocol
	t asyncio.DatagramTransport
}

func (u *upper) ConnectionMade(t asyncio.DatagramTransport) { u.t = t }

func (u *upper) DatagramReceived(p []byte, from net.Addr) { u.t.SendTo(bytes.ToUpper(p), from) }

// printer prints the datagrams it receives, and says when one came.
type printer struct {
	asyncio.BaseDatagramProtocol
	got *asyncio.Event
}

func (p *printer) DatagramReceived(b []byte, _ net.Addr) {
	fmt.Printf("%s\n", b)
	p.got.Set()
}

// A UDP echo: one endpoint answers, another asks.
func ExampleCreateDatagramEndpoint() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		server, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return &upper{} })
		if err != nil {
			return struct{}{}, err
		}
		defer server.Close()
		got := asyncio.NewEvent()
		client, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "", server.LocalAddr().String(), func() asyncio.DatagramProtocol { return &printer{got: got} })
		if err != nil {
			return struct{}{}, err
		}
		defer client.Close()
		client.SendTo([]byte("hello, datagrams"), nil)
		return struct{}{}, got.Wait(ctx)
	})
	// Output: HELLO, DATAGRAMS
}
