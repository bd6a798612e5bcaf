package aiohttp

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Server serves HTTP/1.1 on a loop: Serve makes one that listens,
// NewServer one that serves the connections another listener accepts.
// Its connections are protocols on the loop and each request runs as a
// task of its own.
// Shutdown, Close and Wait are called from tasks of the server's loop
// (Shutdown and Wait also from other goroutines, which they block).
//
// A Server made with Workers(n > 1) is worker 0's, and controls every
// worker: Addr is the one address they all listen on; Shutdown, Close and
// Wait act on every worker and are safe from any goroutine (Shutdown and
// Wait suspend a task, or block another goroutine); Shutdown and Wait
// return once every worker has stopped and its loop, other than worker
// 0's, is closed, with the failures of any worker.
type Server struct {
	loop    *asyncio.Loop
	lis     *asyncio.Server
	handler http.Handler
	cfg     serverConfig
	addr    net.Addr
	// base is the ctx requests' tasks take their values from:
	// http.ServerContextKey is set there.
	base context.Context

	conns map[*conn]struct{}
	// websockets are the connections upgraded to WebSockets, which the
	// server still closes when it shuts down.
	websockets map[*WebSocket]struct{}
	// hijacked are the transports of hijacked connections still open,
	// which Close aborts when the server has no listener to do it.
	hijacked map[asyncio.Transport]struct{}
	tasks    int  // requests whose task has not ended
	stopping bool // Shutdown or Close was called: no new requests
	closed   bool // Close was called, or Shutdown gave up waiting
	done     *asyncio.Event
	// group is set on the Server that Serve returns for Workers(n > 1):
	// worker 0's, through which one value controls every worker. The
	// servers of the other workers have none.
	group *serverGroup

	date dateCache
}

// Serve listens on addr and serves h there, in the background on the loop
// of ctx, which must be the ctx of a task; it returns once the server
// listens. addr is "host:port" for TCP (port 0 picks a free port; see Addr)
// or "unix:/path/to.sock" for a Unix socket. With Workers(n > 1), it
// serves on n loops (see Workers), the caller's among them, and returns
// once every worker listens.
//
// Each request runs h.ServeHTTP as a task named after the request ("GET
// /path"), whose ctx is r.Context(). A handler that blocks (on a mutex,
// a syscall, a cgo call) must be wrapped in Threaded.
func Serve(ctx context.Context, addr string, h http.Handler, opts ...ServerOption) (*Server, error) {
	if !asyncio.InTask(ctx) {
		return nil, errNoTask("Serve")
	}
	cfg := newServerConfig(opts)
	network := "tcp"
	if path, ok := strings.CutPrefix(addr, "unix:"); ok {
		network, addr = "unix", path
	}
	sockOpts := cfg.socket
	if cfg.tls != nil {
		tc := cfg.tls
		if len(tc.NextProtos) == 0 {
			tc = tc.Clone()
			tc.NextProtos = []string{"http/1.1"}
		}
		sockOpts = append(sockOpts[:len(sockOpts):len(sockOpts)], asyncio.TLS(tc, asyncio.ServerSide()))
	}
	if cfg.workers != 1 {
		return serveWorkers(ctx, network, addr, h, cfg, sockOpts)
	}
	return listen(ctx, network, addr, h, cfg, sockOpts)
}

// listen makes a server on the loop of ctx and has it listen on addr.
func listen(ctx context.Context, network, addr string, h http.Handler, cfg serverConfig, sockOpts []asyncio.ServerOption) (*Server, error) {
	s := newServer(ctx, addr, h, cfg)
	lis, err := asyncio.CreateServer(ctx, network, addr, s.newConn, sockOpts...)
	if err != nil {
		return nil, err
	}
	s.lis = lis
	if addrs := lis.Addrs(); len(addrs) > 0 {
		s.addr = addrs[0]
	}
	return s, nil
}

// NewServer returns a server of h on the loop of ctx, which must be the
// ctx of a task, that does not listen: it serves the connections that a
// listener of the caller's accepts and connects to the protocols of
// ProtocolFactory, as net/http's Server.Serve serves a net.Listener it is
// given. It is how a server runs over another transport than the loop's
// own sockets, such as a simnet.Network's (see package aiohttptest).
//
// The server is the same as Serve's in all but listening: the options,
// Shutdown, Close and Wait apply to the connections it was given, but
// closing the listener is the caller's, and Addr returns nil. Shutdown
// and Close make the server refuse connections accepted after them, by
// aborting them at once. TLS, Workers and WithSocketOptions configure a
// listener, and are refused: a listener that needs TLS runs it itself.
func NewServer(ctx context.Context, h http.Handler, opts ...ServerOption) (*Server, error) {
	if !asyncio.InTask(ctx) {
		return nil, errNoTask("NewServer")
	}
	cfg := newServerConfig(opts)
	switch {
	case cfg.tls != nil:
		return nil, errors.New("aiohttp: NewServer: the TLS option configures a listener, and NewServer has none")
	case cfg.workers != 1:
		return nil, errors.New("aiohttp: NewServer: the Workers option configures listeners, and NewServer has none")
	case len(cfg.socket) > 0:
		return nil, errors.New("aiohttp: NewServer: WithSocketOptions configures a listener, and NewServer has none")
	}
	return newServer(ctx, "", h, cfg), nil
}

// ProtocolFactory returns the function that makes the protocol of each
// connection the server is to serve: give it to a listener, such as
// simnet.Host.CreateServer, whose connections then run on the server's
// loop. A server made with NewServer serves nothing else.
func (s *Server) ProtocolFactory() func() asyncio.Protocol { return s.newConn }

// newServer makes a server that is not listening yet.
func newServer(ctx context.Context, addr string, h http.Handler, cfg serverConfig) *Server {
	s := &Server{
		loop:    asyncio.RunningLoop(ctx),
		handler: h,
		cfg:     cfg,
		conns:   make(map[*conn]struct{}),
		done:    asyncio.NewEvent(),
	}
	hs := &http.Server{Addr: addr, Handler: h, ReadHeaderTimeout: cfg.readHeaderTimeout, IdleTimeout: cfg.keepAliveTimeout}
	if cfg.limits.MaxHeaderBytes > 0 {
		hs.MaxHeaderBytes = cfg.limits.MaxHeaderBytes
	}
	s.base = context.WithValue(ctx, http.ServerContextKey, hs)
	return s
}

// Addr returns the address the server listens on, with the port chosen
// when addr asked for port 0; nil for a server made with NewServer.
func (s *Server) Addr() net.Addr { return s.addr }

// Shutdown shuts the server down gracefully: it stops listening, closes
// idle connections at once and the others once their current response is
// sent (with "Connection: close"), and waits for the requests in flight.
// If ctx ends first, it cancels the tasks of the requests left, aborts
// their connections, waits for those tasks to end, and returns ctx's
// error. Connections taken over by Hijack are the handler's, and are left
// alone; WebSockets from Upgrade are sent a close frame with 1001 (going
// away), and Shutdown waits for their closing handshakes, which
// CloseTimeout bounds. Called from a goroutine that is not a task of the loop, it
// blocks that goroutine.
//
// With Workers(n > 1), every worker shuts down so, in parallel, each on
// its loop; when ctx ends, what is left is cancelled on every worker.
// Shutdown returns once every worker has ended, with ctx's error if it
// ended first, joined with the workers' failures. A worker's loop, other
// than worker 0's, closes as its worker ends: what a handler started
// there and left running, a hijacked connection served by a task of its
// own say, is cancelled then.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.group != nil {
		return s.group.shutdown(ctx)
	}
	if asyncio.InTask(ctx) {
		return s.shutdown(ctx)
	}
	_, err := asyncio.SubmitWait(context.WithoutCancel(ctx), s.loop, func(tctx context.Context) (struct{}, error) {
		// The task is not cancelled with ctx, so that it waits for the
		// tasks it cancels; the end of ctx aborts what is left instead.
		stop := context.AfterFunc(ctx, func() { s.loop.CallSoonThreadsafe(s.abortAll) })
		defer stop()
		err := s.shutdown(tctx)
		if e := ctx.Err(); e != nil {
			return struct{}{}, e
		}
		return struct{}{}, err
	}, asyncio.Name("aiohttp.Server.Shutdown"))
	return err
}

// shutdown is Shutdown on the loop, in the task of ctx.
func (s *Server) shutdown(ctx context.Context) error {
	s.beginShutdown()
	err := s.done.Wait(ctx)
	if err == nil {
		return nil
	}
	s.abortAll()
	// The tasks of the requests left are cancelled and end at their next
	// wait; wait for that, whatever ctx says, so that nothing of the
	// server outlives Shutdown.
	if werr := s.done.Wait(context.WithoutCancel(ctx)); werr != nil {
		return werr
	}
	return err
}

// beginShutdown starts a graceful shutdown, once: the server stops
// listening and every connection closes once its response is sent.
func (s *Server) beginShutdown() {
	if s.stopping {
		return
	}
	s.stopping = true
	if s.lis != nil {
		s.lis.Close()
	}
	for c := range s.conns {
		c.shutdown()
	}
	for ws := range s.websockets {
		ws.goAway()
	}
	s.checkDone()
}

// Close closes the server at once: it stops listening, cancels the tasks
// of the requests in flight and aborts every connection, hijacked ones
// included. Wait waits until those tasks have ended. Close must be called
// from code running on the server's loop; with Workers(n > 1), from any
// goroutine, and each worker's server closes as soon as its loop runs
// next.
func (s *Server) Close() error {
	if s.group != nil {
		return s.group.close()
	}
	s.close()
	return nil
}

// close is Close on the server's own loop.
func (s *Server) close() {
	s.stopping = true
	s.abortAll()
	if s.lis != nil {
		s.lis.Close()
		s.lis.AbortClients()
		return
	}
	// Without a listener to abort them, the hijacked connections are the
	// server's to abort.
	for t := range s.hijacked {
		t.Abort()
	}
}

// Wait waits until the server is shut down or closed and every request's
// task has ended. Called from a goroutine that is not a task, it blocks
// that goroutine. With Workers(n > 1), it waits until every worker has
// ended and returns their failures (errors.Join): a worker that could not
// go on, or a cancellation of them all when the loop of worker 0 ended
// first (when Run returns, say).
func (s *Server) Wait(ctx context.Context) error {
	if s.group != nil {
		return s.group.wait(ctx)
	}
	return s.done.Wait(ctx)
}

// abortAll cancels every request's task and aborts every connection.
func (s *Server) abortAll() {
	s.stopping, s.closed = true, true
	for c := range s.conns {
		c.abort(errShutdown)
	}
	for ws := range s.websockets {
		ws.abort()
	}
	s.checkDone()
}

// checkDone sets done once the server is stopping and nothing is left.
func (s *Server) checkDone() {
	if s.stopping && len(s.conns) == 0 && len(s.websockets) == 0 && s.tasks == 0 {
		s.done.Set()
	}
}

// logAccess writes the access-log record of one request.
func (s *Server) logAccess(r *http.Request, status int, n int64, start time.Time) {
	s.cfg.accessLog.LogAttrs(context.Background(), slog.LevelInfo, "request",
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Int64("bytes", n),
		slog.Duration("duration", time.Since(start)),
		slog.String("remote", r.RemoteAddr),
	)
}

// tlsState returns the TLS state of a transport, if any.
func tlsState(t asyncio.Transport) *tls.ConnectionState { return t.TLS() }
