package aiohttp

import (
	"context"
	"errors"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ClientTimeout bounds the parts of a request (aiohttp.ClientTimeout),
// on the loop's clock. A zero field means no bound.
type ClientTimeout struct {
	// Total bounds the whole request, from acquiring a connection to
	// reading the last byte of the response body, redirects included.
	Total time.Duration
	// Connect bounds acquiring a connection: waiting for a free one in the
	// pool plus connecting.
	Connect time.Duration
	// SockConnect bounds connecting to the server, TLS handshake included.
	SockConnect time.Duration
	// SockRead bounds each wait for bytes from the server.
	SockRead time.Duration
}

// DefaultTimeout is the timeout of a session made without Timeout:
// aiohttp's five minutes in total.
var DefaultTimeout = ClientTimeout{Total: 5 * time.Minute}

// ErrTimeout is what every timeout of the client satisfies, with
// errors.Is; so does asyncio.ErrTimeout.
var ErrTimeout = errors.New("aiohttp: timeout")

// TimeoutError reports which bound of a ClientTimeout expired. It
// satisfies errors.Is(err, ErrTimeout), errors.Is(err, asyncio.ErrTimeout)
// and, as a net.Error does, has Timeout() true.
type TimeoutError struct {
	// Kind is "total", "connect", "sock_connect" or "sock_read".
	Kind string
}

// Error describes the error.
func (e *TimeoutError) Error() string { return "aiohttp: " + e.Kind + " timeout" }

// Is reports that a TimeoutError is ErrTimeout and asyncio.ErrTimeout.
func (e *TimeoutError) Is(target error) bool {
	return target == ErrTimeout || target == asyncio.ErrTimeout
}

// Timeout reports true.
func (e *TimeoutError) Timeout() bool { return true }

// noDeadline is a deadline that never comes.
const noDeadline = asyncio.NoDeadline

// deadlines are the loop times at which a request's bounds expire.
type deadlines struct {
	total    time.Duration
	timeouts ClientTimeout
}

func newDeadlines(l *asyncio.Loop, t ClientTimeout) deadlines {
	d := deadlines{total: noDeadline, timeouts: t}
	if t.Total > 0 {
		d.total = l.Time() + t.Total
	}
	return d
}

// after returns the earlier of the total deadline and now+d, with the
// kind of timeout that expires first.
func (d deadlines) after(l *asyncio.Loop, bound time.Duration, kind string) (time.Duration, string) {
	if bound <= 0 {
		return d.total, "total"
	}
	if at := l.Time() + bound; at < d.total {
		return at, kind
	}
	return d.total, "total"
}

// waitUntil runs wait in a timeout scope that ends at the loop time
// deadline, turning its expiry into a *TimeoutError of kind.
func waitUntil(ctx context.Context, deadline time.Duration, kind string, wait func(context.Context) error) error {
	if deadline == noDeadline {
		return wait(ctx)
	}
	err := asyncio.TimeoutAt(ctx, deadline, wait)
	if errors.Is(err, asyncio.ErrTimeout) {
		return &TimeoutError{Kind: kind}
	}
	return err
}
