package asyncio

import (
	"context"
	"net"
	"testing"
)

// Hooks into the package's internals for the external tests.

// WaitIOGoroutines waits, off the loop of ctx, until no goroutine of its
// transports, servers and TLS handshakes runs, so that everything those
// posted to the loop is queued. Nothing may start another meanwhile.
func WaitIOGoroutines(ctx context.Context) error {
	l := RunningLoop(ctx)
	_, err := ToThread(ctx, func() (struct{}, error) {
		l.ioGoroutines.Wait()
		return struct{}{}, nil
	})
	return err
}

// SetListenHook makes fn run on the loop before a server opens each of its
// listening sockets, until the test ends.
func SetListenHook(t testing.TB, fn func(net.Addr)) {
	testHookListen = fn
	t.Cleanup(func() { testHookListen = nil })
}
