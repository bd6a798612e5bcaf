package simnet

import (
	"context"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// Pipe connects protocols a and b by an in-memory connection on the loop of
// ctx and returns their transports: net.Pipe for protocols. The connection
// is one of a network of its own, over a perfect link: data crosses in a
// few iterations of the loop and no time, with the window, flow control,
// half-close and close of any connection of the package. As on the loop's
// own transports, ConnectionMade is scheduled, not run inline.
func Pipe(ctx context.Context, a, b asyncio.Protocol) (asyncio.Transport, asyncio.Transport, error) {
	ca, cb, err := pipe(ctx, a, b, nil)
	if err != nil {
		return nil, nil, err
	}
	return ca, cb, nil
}

// StreamPipe connects two streams by an in-memory connection on the loop of
// ctx, as Pipe does, and returns their ends once both are ready.
func StreamPipe(ctx context.Context) (a, b asynciotest.Stream, err error) {
	pa, pb := asyncio.NewStreamProtocol(0), asyncio.NewStreamProtocol(0)
	made := asyncio.NewFuture[struct{}](ctx)
	if _, _, err := pipe(ctx, pa, pb, func() { made.TrySetResult(struct{}{}) }); err != nil {
		return a, b, err
	}
	if _, err := made.Wait(ctx); err != nil {
		return a, b, err
	}
	return asynciotest.Stream{Reader: pa.Reader(), Writer: pa.Writer()},
		asynciotest.Stream{Reader: pb.Reader(), Writer: pb.Writer()}, nil
}

// pipe makes the two ends of a connection between hosts "a" and "b" of a
// new network, and starts them; made runs once both protocols are
// connected.
func pipe(ctx context.Context, a, b asyncio.Protocol, made func()) (*conn, *conn, error) {
	n, err := New(ctx, 0)
	if err != nil {
		return nil, nil, err
	}
	ha, hb := n.Host("a"), n.Host("b")
	addrA, addrB := Addr{Host: "a", Port: ha.freePort()}, Addr{Host: "b", Port: hb.freePort()}
	ca, cb := newConn(ha, hb, addrA, addrB), newConn(hb, ha, addrB, addrA)
	ca.peer, cb.peer = cb, ca
	ca.proto, cb.proto = a, b
	ca.start(nil)
	cb.start(made) // after ca's: both are connected when it runs
	return ca, cb, nil
}
