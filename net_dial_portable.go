package asyncio

import (
	"context"
	"net"
)

// dialPortable connects to a with the net package, on a goroutine, and
// wraps the connection in a transport with no protocol yet.
func dialPortable(ctx context.Context, l *Loop, a, local net.Addr) (transport, error) {
	conn, err := offLoop(ctx, l, func(ctx context.Context) (net.Conn, error) {
		d := net.Dialer{LocalAddr: local, KeepAlive: -1}
		return d.DialContext(ctx, a.Network(), a.String())
	}, func(c net.Conn) { c.Close() })
	if err != nil {
		return nil, err
	}
	return newConnTransport(l, conn, nil), nil
}

// offLoop runs fn on a goroutine of the loop's own, not on the executor:
// network waits are unbounded and must not take the executor's workers.
// fn's ctx is cancelled when ctx is. If ctx ends first, offLoop returns
// its error at once, and the result fn brings later goes to drop. While
// fn runs, a virtual clock holds still, as for executor work.
func offLoop[T any](ctx context.Context, l *Loop, fn func(context.Context) (T, error), drop func(T)) (T, error) {
	f := NewFuture[T](ctx)
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, cancel)
	l.external.Add(1)
	l.ioGoroutines.Add(1)
	go func() {
		defer l.ioGoroutines.Done()
		defer l.endExternal()
		defer stop()
		defer cancel()
		v, err := fn(fctx)
		switch {
		case err != nil:
			f.TrySetError(err)
		case !f.TrySetResult(v):
			drop(v)
		}
	}()
	v, err := f.Wait(ctx)
	if err != nil && !f.Cancel() {
		// fn's result came as ctx ended: nobody takes it.
		if late, lerr := f.Result(); lerr == nil {
			drop(late)
		}
	}
	return v, err
}
