package asyncio_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// backends are the I/O backends this system runs: the conformance suite
// (every test that calls runIO) runs once on each.
var backends = func() []asyncio.IOBackend {
	if asyncio.DefaultIOBackend() == asyncio.BackendPoller {
		return []asyncio.IOBackend{asyncio.BackendPoller, asyncio.BackendPortable}
	}
	return []asyncio.IOBackend{asyncio.BackendPortable}
}()

// runIO runs fn as the main task of a loop on the real clock, once on each
// I/O backend, each in a subtest named for its backend.
func runIO(t *testing.T, fn func(t *testing.T, ctx context.Context) error, opts ...asyncio.Option) {
	t.Helper()
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			o := append([]asyncio.Option{asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b)}, opts...)
			asynciotest.Run(t, func(ctx context.Context) error {
				if got := asyncio.RunningLoop(ctx).IOBackend(); got != b {
					t.Fatalf("loop runs backend %q, want %q", got, b)
				}
				return fn(t, ctx)
			}, o...)
		})
	}
}
