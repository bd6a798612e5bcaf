package asyncio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"syscall"
	"time"
)

// DefaultBacklog is the listen backlog of a server made without Backlog
// (asyncio's 100).
const DefaultBacklog = 100

// acceptRetryDelay is how long a server stops accepting after running out
// of file descriptors or memory (asyncio's ACCEPT_RETRY_DELAY), so that an
// exhausted process does not spin on a listening socket that stays ready.
const acceptRetryDelay = time.Second

type serverConfig struct {
	backlog     int
	reusePort   bool
	keepAlive   bool
	deferred    bool     // do not serve until StartServing
	hosts       []string // listen on these hosts instead of addr's
	streamLimit int      // StartServer's readers
	tls         *tls.Config
	tlsOpts     tlsConfig
}

// A Server accepts connections on one or more listening sockets and
// connects each to a new Protocol (asyncio.Server). Its methods are called
// from code running on its loop.
type Server struct {
	loop      *Loop
	factory   func() Protocol
	cfg       serverConfig
	listeners []listener
	addrs     []net.Addr
	conns     []transport // see serverLink
	serving   bool
	closed    bool
	done      *Event // set once closed and every connection has ended
}

// A listener is one listening socket of a server, on either backend.
type listener interface {
	// serve starts accepting; each connection goes to Server.accepted.
	serve()
	// close stops accepting and closes the socket.
	close()
	addr() net.Addr
}

// CreateServer listens for connections and, for each, calls factory for a
// Protocol and connects it to the connection's Transport
// (loop.create_server, loop.create_unix_server). network is "tcp", "tcp4"
// or "tcp6", with addr "host:port" (an empty host means every interface,
// port 0 picks a free port), or "unix", with addr a socket path (a name
// starting with "@" is in Linux's abstract namespace). A Unix socket's
// file, and a stale one left at the path, is removed; the server removes
// it again when it closes. Host names are resolved off the loop.
func CreateServer(ctx context.Context, network, addr string, factory func() Protocol, opts ...ServerOption) (*Server, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	cfg := serverConfig{backlog: DefaultBacklog}
	for _, o := range opts {
		o.applyServer(&cfg)
	}
	if cfg.tls != nil && len(cfg.tls.Certificates) == 0 && cfg.tls.GetCertificate == nil && cfg.tls.GetConfigForClient == nil {
		return nil, fmt.Errorf("asyncio: TLS server config has no certificate")
	}
	addrs, err := listenAddrs(ctx, network, addr, cfg.hosts)
	if err != nil {
		return nil, err
	}
	s := &Server{loop: l, factory: factory, cfg: cfg, done: NewEvent()}
	if err := s.listenAll(addrs); err != nil {
		return nil, err
	}
	l.track(s)
	if !cfg.deferred {
		s.StartServing()
	}
	return s, nil
}

// listenAttempts bounds how many ports listenAll tries for addresses of
// port 0.
const listenAttempts = 8

// listenAll opens a listening socket on each of addrs. Addresses of port 0
// all get the port the first one got, as asyncio does; when a later one
// finds that port taken (another program holds it on that address), every
// socket is closed and the set tried again on a new port, up to
// listenAttempts times.
func (s *Server) listenAll(addrs []net.Addr) error {
	for attempt := 1; ; attempt++ {
		retry, err := s.tryListen(addrs)
		if err == nil {
			return nil
		}
		s.closeListeners()
		s.addrs = nil
		if !retry || attempt == listenAttempts {
			return err
		}
	}
}

// tryListen is one attempt of listenAll. retry says whether the attempt
// failed only because the port chosen for the first address was taken on
// another.
func (s *Server) tryListen(addrs []net.Addr) (retry bool, err error) {
	for i, a := range addrs {
		chosen := false
		if ta, ok := a.(*net.TCPAddr); ok && ta.Port == 0 && i > 0 {
			a = &net.TCPAddr{IP: ta.IP, Port: s.addrs[0].(*net.TCPAddr).Port, Zone: ta.Zone}
			chosen = true
		}
		ln, err := s.loop.listen(s, a)
		if err != nil {
			return chosen && errors.Is(err, syscall.EADDRINUSE), &net.OpError{Op: "listen", Net: a.Network(), Addr: a, Err: err}
		}
		s.listeners = append(s.listeners, ln)
		s.addrs = append(s.addrs, ln.addr())
	}
	return false, nil
}

// testHookListen, if set, runs before each listening socket is opened.
var testHookListen func(net.Addr)

// listen opens a listening socket on the loop's backend.
func (l *Loop) listen(s *Server, a net.Addr) (listener, error) {
	if testHookListen != nil {
		testHookListen(a)
	}
	if l.portable() {
		return listenPortable(s, a)
	}
	return listenFD(s, a)
}

// StartServing starts accepting connections, if the server does not yet
// (asyncio's start_serving). It fails on a closed server.
func (s *Server) StartServing() error {
	if s.closed {
		return ErrServerClosed
	}
	if !s.serving {
		s.serving = true
		for _, ln := range s.listeners {
			ln.serve()
		}
	}
	return nil
}

// accepted connects a new connection, in the form the backend made it, to
// a protocol: directly, or through TLS.
func (s *Server) accepted(t transport) {
	if s.closed {
		discard(t)
		return
	}
	s.add(t)
	if s.cfg.tls == nil {
		t.SetProtocol(s.factory())
		t.start(nil)
		return
	}
	s.acceptTLS(t)
}

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr { return s.addrs }

// IsServing reports whether the server accepts connections.
func (s *Server) IsServing() bool { return s.serving && !s.closed }

// Close stops listening; connections already accepted go on until they end
// (CloseClients and AbortClients end them). WaitClosed waits for that.
func (s *Server) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.closeListeners()
	s.maybeDone()
}

// add counts t as one of the server's connections.
func (s *Server) add(t transport) {
	*t.link() = serverLink{srv: s, idx: len(s.conns)}
	s.conns = append(s.conns, t)
}

// remove forgets t, which has ended or passed its place to a transport
// layered over it.
func (s *Server) remove(t transport) {
	k := t.link()
	last := s.conns[len(s.conns)-1]
	s.conns[k.idx] = last
	last.link().idx = k.idx
	s.conns[len(s.conns)-1] = nil
	s.conns = s.conns[:len(s.conns)-1]
	k.srv = nil
	s.maybeDone()
}

func (s *Server) isServer() bool { return true }

// closeForLoop closes the server and its connections when its loop
// closes: their protocols hear ErrLoopClosed.
func (s *Server) closeForLoop() {
	s.Close()
	for _, t := range slices.Clone(s.conns) {
		t.closeForLoop()
	}
}

func (s *Server) closeListeners() {
	for _, ln := range s.listeners {
		ln.close()
	}
	s.listeners = nil
}

// maybeDone ends the server once it is closed and its last connection has
// ended. Until then it stays in the loop's open set, standing for its
// connections.
func (s *Server) maybeDone() {
	if s.closed && len(s.conns) == 0 {
		s.loop.untrack(s)
		s.done.Set()
	}
}

// CloseClients closes every connection of the server, each after its
// buffer is sent.
func (s *Server) CloseClients() {
	for _, t := range slices.Clone(s.conns) {
		t.Close()
	}
}

// AbortClients aborts every connection of the server.
func (s *Server) AbortClients() {
	for _, t := range slices.Clone(s.conns) {
		t.Abort()
	}
}

// WaitClosed waits until the server is closed and every connection it
// accepted has ended (asyncio 3.12's wait_closed).
func (s *Server) WaitClosed(ctx context.Context) error { return s.done.Wait(ctx) }

// ServeForever starts serving if the server does not yet, serves until ctx
// ends, then closes the server and returns ctx's error (asyncio's
// serve_forever, which runs until cancelled). It returns nil at once if the
// server was closed.
func (s *Server) ServeForever(ctx context.Context) error {
	if s.StartServing() != nil {
		return nil
	}
	err := s.done.Wait(ctx)
	if err != nil {
		s.Close()
	}
	return err
}

// acceptFailed tells the exception handler that accepting failed, and
// stops accepting for acceptRetryDelay: a process out of descriptors or
// memory would otherwise spin on a listening socket that stays ready. The
// loop calls retry when the delay is over.
func (s *Server) acceptFailed(network string, err error, retry func()) {
	s.loop.CallExceptionHandler(ExceptionContext{
		Message: fmt.Sprintf("accept failed, retrying in %v", acceptRetryDelay),
		Err:     opError("accept", network, err),
	})
	s.loop.CallLater(acceptRetryDelay, func() {
		if !s.closed {
			retry()
		}
	})
}
