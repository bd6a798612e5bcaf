//go:build unix

package main

import (
	"context"
	"errors"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

// echoServer serves the harness's tcp-echo and idle-conns workloads: every
// byte read is written back, with the streams API (a task per connection,
// StreamReader.Read and StreamWriter.Write+Drain) or the protocol API (a
// Protocol whose DataReceived writes to its Transport). It runs until
// SIGTERM, which the harness sends to stop it.
func echoServer(api, addr string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		main := asyncio.CurrentTask(ctx)
		loop.AddSignalHandler(syscall.SIGTERM, func() { main.Cancel() })
		var srv *asyncio.Server
		var err error
		switch api {
		case "streams":
			srv, err = asyncio.StartServer(ctx, addr, echoStream, asyncio.WithBacklog(4096))
		case "protocol":
			srv, err = asyncio.CreateServer(ctx, "tcp", addr, func() asyncio.Protocol { return &echoProtocol{} }, asyncio.WithBacklog(4096))
		default:
			usage()
		}
		if err != nil {
			return struct{}{}, err
		}
		srv.ServeForever(ctx)
		srv.AbortClients()
		return struct{}{}, nil
	}, asyncio.WithInterruptHandling(false))
	if errors.Is(err, context.Canceled) { // SIGTERM
		return nil
	}
	return err
}

func echoStream(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	for {
		data, err := r.Read(ctx, 64<<10)
		if err != nil || len(data) == 0 {
			return err
		}
		w.Write(data)
		if err := w.Drain(ctx); err != nil {
			return err
		}
	}
}

type echoProtocol struct {
	asyncio.BaseProtocol
	t asyncio.Transport
}

func (p *echoProtocol) ConnectionMade(t asyncio.Transport) { p.t = t }
func (p *echoProtocol) DataReceived(b []byte)              { p.t.Write(b) }
