package simnet_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestPipeConformance(t *testing.T) {
	asynciotest.CheckTransport(t, func(ctx context.Context, a, b asyncio.Protocol) (func(context.Context) error, error) {
		_, _, err := simnet.Pipe(ctx, a, b)
		return nil, err
	})
}

func TestStreamPipeConformance(t *testing.T) {
	asynciotest.CheckStreams(t, func(ctx context.Context) (a, b asynciotest.Stream, stop func(context.Context) error, err error) {
		a, b, err = simnet.StreamPipe(ctx)
		return a, b, nil, err
	})
}

// lossy is a link that loses, delays and reorders packets, and has a
// bandwidth: the conformance of a connection must not depend on any of it.
var lossy = simnet.Link{Latency: 10 * time.Millisecond, Jitter: 5 * time.Millisecond, Loss: 0.05, Bandwidth: 50 << 20}

// networkPipe connects a and b across a network with the lossy link.
func networkPipe(ctx context.Context, a, b asyncio.Protocol) (func(context.Context) error, error) {
	n, err := simnet.New(ctx, 1)
	if err != nil {
		return nil, err
	}
	n.SetDefaultLink(lossy)
	ln, err := n.Host("server").CreateServer(ctx, ":80", func() asyncio.Protocol { return b })
	if err != nil {
		return nil, err
	}
	if _, _, err := n.Host("client").CreateConnection(ctx, "server:80", func() asyncio.Protocol { return a }); err != nil {
		return nil, err
	}
	return closeListener(ln), nil
}

// closeListener returns a function that closes ln and waits until its
// connections have ended.
func closeListener(ln *simnet.Listener) func(context.Context) error {
	return func(ctx context.Context) error {
		ln.Close()
		return ln.WaitClosed(ctx)
	}
}

func TestNetworkConformance(t *testing.T) {
	asynciotest.CheckTransport(t, networkPipe)
}

func TestNetworkStreamsConformance(t *testing.T) {
	asynciotest.CheckStreams(t, networkStreams)
}

// networkStreams opens a stream connection across a network with the
// lossy link, from a client to a server made by StartServer.
func networkStreams(ctx context.Context) (a, b asynciotest.Stream, stop func(context.Context) error, err error) {
	n, err := simnet.New(ctx, 2)
	if err != nil {
		return a, b, nil, err
	}
	n.SetDefaultLink(lossy)
	accepted := asyncio.NewFuture[asynciotest.Stream](ctx)
	ln, err := n.Host("server").StartServer(ctx, ":80", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		accepted.SetResult(asynciotest.Stream{Reader: r, Writer: w})
		// The connection is the test's until it ends.
		return w.WaitClosed(ctx)
	})
	if err != nil {
		return a, b, nil, err
	}
	r, w, err := n.Host("client").OpenConnection(ctx, "server:80")
	if err != nil {
		return a, b, nil, err
	}
	b, err = accepted.Wait(ctx)
	return asynciotest.Stream{Reader: r, Writer: w}, b, closeListener(ln), err
}

// The streams keep their contract whatever the order of the tasks that are
// ready together (the check runs several tasks at once).
func TestNetworkStreamsConformanceShuffled(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			asynciotest.CheckStreams(t, networkStreams, asyncio.WithScheduleSeed(seed))
		})
	}
}
