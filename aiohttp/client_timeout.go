package aiohttp

import (
	"context"
	"errors"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ClientTimeout bounds the parts of a request (aiohttp.ClientTimeout),
// on the loop's clock. A zero field means no bound. Each expiry fails the
// request, or the read of its body, with a *TimeoutError whose Kind names
// the field.
//
// A request goes through these steps, each bounded by the fields named:
//
//	wait for a free connection in the pool      Total, Connect, Pool
//	connect: DNS, TCP, TLS, a proxy's CONNECT   Total, Connect, SockConnect
//	send the head and the body                  Total
//	wait for the response head                  Total, SockRead (each wait)
//	read the body, after Request has returned   Total, SockRead (each wait)
//
// As in aiohttp, Connect counts the wait for a free connection: with
// Limit connections busy, a request can fail with a "connect" timeout
// without having tried to connect. Pool bounds that wait alone (httpx's
// pool timeout), and SockConnect the connecting alone. A reused
// connection skips the connecting. Total runs from the call of Request (or Do)
// to the last byte of the body, across redirects and a retry on a new
// connection; it goes on while the caller holds the response without
// reading it.
type ClientTimeout struct {
	// Total bounds the whole request, from its start to reading the last
	// byte of the response body, redirects included: every step.
	Total time.Duration
	// Connect bounds acquiring a connection: waiting for a free one in
	// the pool plus connecting to the server.
	Connect time.Duration
	// SockConnect bounds connecting to the server: resolving its name,
	// TCP, the TLS handshake and a proxy's CONNECT.
	SockConnect time.Duration
	// SockRead bounds each wait for bytes from the server, of the
	// response head and of its body: how long the server may stay
	// silent.
	SockRead time.Duration
	// Pool bounds the wait for a free connection when the pool is at its
	// Limit or LimitPerHost. aiohttp has no such field.
	Pool time.Duration
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
	// Kind is "total", "connect", "sock_connect", "sock_read" or
	// "pool", after the field of ClientTimeout that expired.
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

// poolBounds returns the deadline of connecting (Connect, else Total)
// and that of waiting for a free connection (Pool too), from now, with
// the kinds of timeout they are.
func (d deadlines) poolBounds(l *asyncio.Loop) (connectBy time.Duration, kind string, waitBy time.Duration, waitKind string) {
	connectBy, kind = d.after(l, d.timeouts.Connect, "connect")
	waitBy, waitKind = connectBy, kind
	if d.timeouts.Pool > 0 {
		if at := l.Time() + d.timeouts.Pool; at < waitBy {
			waitBy, waitKind = at, "pool"
		}
	}
	return connectBy, kind, waitBy, waitKind
}
