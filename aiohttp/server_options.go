package aiohttp

import (
	"crypto/tls"
	"log/slog"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// Defaults of the server's options.
const (
	// DefaultReadHeaderTimeout bounds the arrival of a request's head. Ten
	// seconds is ample for any real client on a slow link, since a head is
	// a few hundred bytes, and short enough that a slowloris client dripping
	// a head byte by byte holds a connection only briefly. net/http has no
	// default (none at all); a server on the loop should not be that open.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultServerKeepAliveTimeout is how long a server keeps an idle
	// keep-alive connection open: aiohttp's web keepalive_timeout.
	DefaultServerKeepAliveTimeout = 75 * time.Second
)

// A ServerOption configures Serve.
type ServerOption interface{ applyServer(*serverConfig) }

type serverOption func(*serverConfig)

func (o serverOption) applyServer(c *serverConfig) { o(c) }

type serverConfig struct {
	readHeaderTimeout time.Duration
	keepAliveTimeout  time.Duration
	handlerTimeout    time.Duration
	limits            http1.Limits
	accessLog         *slog.Logger
	tls               *tls.Config
	workers           int
	socket            []asyncio.ServerOption
}

func newServerConfig(opts []ServerOption) serverConfig {
	c := serverConfig{
		readHeaderTimeout: DefaultReadHeaderTimeout,
		keepAliveTimeout:  DefaultServerKeepAliveTimeout,
		workers:           1,
	}
	for _, o := range opts {
		o.applyServer(&c)
	}
	return c
}

// ReadHeaderTimeout bounds the time from a connection's start, or from the
// first byte of a request on a kept-alive connection, to the end of the
// request's head (net/http's ReadHeaderTimeout; default
// DefaultReadHeaderTimeout). A client that is too slow gets 408 Request
// Timeout and the connection is closed. d ≤ 0 means no limit.
func ReadHeaderTimeout(d time.Duration) ServerOption {
	return serverOption(func(c *serverConfig) { c.readHeaderTimeout = d })
}

// HandlerTimeout cancels a request's task, and so the ctx its handler
// sees, once it has run for d (default: no limit). A handler that returns
// without having written anything then answers 503 Service Unavailable.
func HandlerTimeout(d time.Duration) ServerOption {
	return serverOption(func(c *serverConfig) { c.handlerTimeout = d })
}

// MaxHeaderBytes bounds a request's head, request line included (net/http's
// MaxHeaderBytes; default 1 MiB). A larger head gets 431.
func MaxHeaderBytes(n int) ServerOption {
	return serverOption(func(c *serverConfig) { c.limits.MaxHeaderBytes = n })
}

// MaxHeaders bounds the number of header fields of a request (default 100).
// More get 431.
func MaxHeaders(n int) ServerOption {
	return serverOption(func(c *serverConfig) { c.limits.MaxHeaders = n })
}

// MaxLineBytes bounds the request line and each header line (aiohttp's
// max_line_size and max_field_size; default 8 KiB). A longer request line
// gets 414, a longer header line 431.
func MaxLineBytes(n int) ServerOption {
	return serverOption(func(c *serverConfig) { c.limits.MaxLineBytes = n })
}

// AccessLog logs one record per request to l at level Info: method, path,
// status, bytes of body sent, duration and remote address.
func AccessLog(l *slog.Logger) ServerOption {
	return serverOption(func(c *serverConfig) { c.accessLog = l })
}

// Workers serves the address on n loops, one per core (uvicorn's
// workers, in one process): worker 0 is the loop of Serve's caller, and
// each other worker a new loop driven on an OS thread of its own, made
// with asyncio.StartWorkers (the new loops take the caller loop's debug
// mode, I/O backend, logger and exception handler). Every worker has a
// listening socket of its own on the address, made with asyncio.ReusePort
// (SO_REUSEPORT), and the kernel gives each new connection to one of them
// by a hash of its addresses and ports: a connection, its requests and
// their tasks stay on one loop for their life, and the loops share no
// state. With port 0, worker 0 listens first and the others on the port
// it got, with the host as given; give one host (an IP address) or none,
// since a name that resolves to several addresses may get a port for each.
//
// The handler is shared: handlers on different workers run in parallel,
// on different threads, as net/http's do, so a handler of a server with
// Workers(n > 1) must be safe for concurrent use. The loop's exception
// handler, to which panics are reported, is then called from several
// threads too. asyncio.RunningLoop(r.Context()) is the worker's loop.
// Every loop is among asyncio.Loops, and so in the monitor, where each
// worker's loop shows a task named after the worker ("worker-1"), as
// asyncio.StartWorkers names them.
//
// The Server that Serve returns controls every worker (see Server). The
// default, n == 1, serves on the caller's loop alone, with no extra cost.
// n < 1 is an error; so is n > 1 with a Unix socket
// (ErrWorkersNotSupported) or on a loop with a virtual clock
// (asyncio.ErrWorkersVirtualClock). Where the system has no SO_REUSEPORT,
// Serve fails. On Linux the connections spread about evenly; other
// systems may give them all to one listener (see "One loop per core" in
// the asyncio design notes).
func Workers(n int) ServerOption {
	return serverOption(func(c *serverConfig) { c.workers = n })
}

// WithSocketOptions passes options to the listening socket, such as
// asyncio.Backlog and asyncio.ReusePort.
func WithSocketOptions(opts ...asyncio.ServerOption) ServerOption {
	return serverOption(func(c *serverConfig) { c.socket = append(c.socket, opts...) })
}
