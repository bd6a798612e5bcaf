package asynciotest_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// backends are the I/O backends of this system.
var backends = func() []asyncio.IOBackend {
	if asyncio.DefaultIOBackend() == asyncio.BackendPoller {
		return []asyncio.IOBackend{asyncio.BackendPoller, asyncio.BackendPortable}
	}
	return []asyncio.IOBackend{asyncio.BackendPortable}
}()

// tcpPipe connects a and b over loopback TCP.
func tcpPipe(ctx context.Context, a, b asyncio.Protocol) (func(context.Context) error, error) {
	srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return b })
	if err != nil {
		return nil, err
	}
	if _, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return a }); err != nil {
		srv.Close()
		return nil, err
	}
	return closeServer(srv), nil
}

// closeServer returns a function that closes srv and waits until its
// connections have ended.
func closeServer(srv *asyncio.Server) func(context.Context) error {
	return func(ctx context.Context) error {
		srv.Close()
		return srv.WaitClosed(ctx)
	}
}

// madeNotifier is a StreamProtocol that resolves a future once its
// connection is made.
type madeNotifier struct {
	*asyncio.StreamProtocol
	made *asyncio.Future[asynciotest.Stream]
}

func (p madeNotifier) ConnectionMade(t asyncio.Transport) {
	p.StreamProtocol.ConnectionMade(t)
	p.made.SetResult(asynciotest.Stream{Reader: p.Reader(), Writer: p.Writer()})
}

// tcpStreams opens a stream connection over loopback TCP.
func tcpStreams(ctx context.Context) (a, b asynciotest.Stream, stop func(context.Context) error, err error) {
	accepted := asyncio.NewFuture[asynciotest.Stream](ctx)
	srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol {
		return madeNotifier{asyncio.NewStreamProtocol(0), accepted}
	})
	if err != nil {
		return a, b, nil, err
	}
	r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
	if err != nil {
		srv.Close()
		return a, b, nil, err
	}
	b, err = accepted.Wait(ctx)
	return asynciotest.Stream{Reader: r, Writer: w}, b, closeServer(srv), err
}

// The checks hold for the loop's own TCP transports, on each backend: the
// reference the checks were written against.
func TestCheckTransportTCP(t *testing.T) {
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			asynciotest.CheckTransport(t, tcpPipe, asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b))
		})
	}
}

func TestCheckStreamsTCP(t *testing.T) {
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			asynciotest.CheckStreams(t, tcpStreams, asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b))
		})
	}
}
