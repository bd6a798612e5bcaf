package asyncio

import (
	"fmt"
	"os"

	"github.com/asyncio-go/asyncio/internal/poller"
)

// An IOBackend is the machinery a loop drives its sockets, servers and
// pipes with.
type IOBackend string

// The I/O backends. BackendPoller drives non-blocking descriptors from the
// loop's OS poller (epoll on Linux, kqueue on macOS and the BSDs) with no
// goroutine per connection; it is the default where it exists.
// BackendPortable drives the standard net package's connections with
// goroutines that feed the loop: it works on every system Go supports.
// Both pass the same conformance suite.
const (
	BackendPoller   IOBackend = "poller"
	BackendPortable IOBackend = "portable"
)

// DefaultIOBackend() returns the backend of a loop made without
// WithIOBackend: BackendPoller where the system has a poller the loop can
// use, BackendPortable elsewhere. The ASYNCIOBACKEND environment variable
// ("poller" or "portable"), read at each call, overrides it.
func DefaultIOBackend() IOBackend {
	switch b := IOBackend(os.Getenv("ASYNCIOBACKEND")); b {
	case BackendPoller, BackendPortable:
		if b == BackendPoller && !hasPoller {
			return BackendPortable
		}
		return b
	}
	if hasPoller {
		return BackendPoller
	}
	return BackendPortable
}

// WithIOBackend picks the loop's I/O backend. On a system without a poller,
// BackendPoller makes every socket call fail with ErrNoPoller. NewLoop
// panics on a value that names no backend.
func WithIOBackend(b IOBackend) Option { return func(cfg *config) { cfg.backend = b } }

// IOBackend returns the loop's I/O backend.
func (l *Loop) IOBackend() IOBackend { return l.backend }

// hasPoller reports whether this system has a poller backend.
const hasPoller = poller.Supported

func checkBackend(b IOBackend) {
	if b != BackendPoller && b != BackendPortable {
		panic(fmt.Sprintf("asyncio: unknown I/O backend %q", b))
	}
}

// portable reports whether the loop's sockets use the portable backend.
func (l *Loop) portable() bool { return l.backend == BackendPortable }
