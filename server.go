//go:build unix

package asyncio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"golang.org/x/sys/unix"
)

// DefaultBacklog is the listen backlog of a server made without WithBacklog
// (asyncio's 100).
const DefaultBacklog = 100

// acceptRetryDelay is how long a server stops accepting after running out
// of file descriptors or memory (asyncio's ACCEPT_RETRY_DELAY), so that an
// exhausted process does not spin on a listening socket that stays ready.
const acceptRetryDelay = time.Second

// A ServerOption configures CreateServer.
type ServerOption func(*serverConfig)

type serverConfig struct {
	backlog     int
	reusePort   bool
	streamLimit int // StartServer's readers
}

// WithBacklog sets the listen backlog (default DefaultBacklog).
func WithBacklog(n int) ServerOption { return func(c *serverConfig) { c.backlog = n } }

// WithReusePort sets SO_REUSEPORT on the listening sockets, so that several
// processes or loops can share a port.
func WithReusePort() ServerOption { return func(c *serverConfig) { c.reusePort = true } }

// A Server accepts connections on one or more listening sockets and
// connects each to a new Protocol (asyncio.Server). Its methods are called
// from code running on its loop.
type Server struct {
	loop      *Loop
	factory   func() Protocol
	listeners []int
	addrs     []net.Addr
	conns     map[*fdTransport]struct{}
	closed    bool
	done      *Event // set once closed and every connection has ended
}

// CreateServer listens on addr ("host:port"; an empty host means every
// interface, port 0 picks a free port) for TCP connections and, for each,
// calls factory for a Protocol and connects it to the connection's
// Transport (loop.create_server). The server serves at once; Close stops
// it. network is "tcp", "tcp4" or "tcp6".
func CreateServer(ctx context.Context, network, addr string, factory func() Protocol, opts ...ServerOption) (*Server, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	cfg := serverConfig{backlog: DefaultBacklog}
	for _, o := range opts {
		o(&cfg)
	}
	ips, port, err := resolve(ctx, network, addr, true)
	if err != nil {
		return nil, err
	}
	s := &Server{loop: l, factory: factory, conns: make(map[*fdTransport]struct{}), done: NewEvent()}
	for _, ip := range ips {
		fd, err := listenTCP(ip, port, cfg)
		if err != nil {
			s.closeListeners()
			return nil, &net.OpError{Op: "listen", Net: network, Addr: &net.TCPAddr{IP: ip, Port: port}, Err: err}
		}
		s.listeners = append(s.listeners, fd)
		sa, _ := unix.Getsockname(fd)
		s.addrs = append(s.addrs, netAddr(sa))
		if port == 0 { // every host on the port the first one got
			port = s.addrs[0].(*net.TCPAddr).Port
		}
	}
	for _, fd := range s.listeners {
		if err := l.AddReader(fd, s.acceptFrom(fd)); err != nil {
			s.closeListeners()
			return nil, err
		}
	}
	l.track(s)
	return s, nil
}

func listenTCP(ip net.IP, port int, cfg serverConfig) (int, error) {
	family := unix.AF_INET6
	if ip.To4() != nil {
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
	if cfg.reusePort {
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
	}
	if family == unix.AF_INET6 {
		unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, 1)
	}
	sa, err := sockaddr(&net.TCPAddr{IP: ip, Port: port})
	if err == nil {
		err = unix.Bind(fd, sa)
	}
	if err == nil {
		err = unix.Listen(fd, cfg.backlog)
	}
	if err == nil {
		err = unix.SetNonblock(fd, true)
	}
	if err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// acceptFrom returns the readiness callback of listening socket fd: it
// accepts what is waiting, up to the backlog, as asyncio does.
func (s *Server) acceptFrom(fd int) func() {
	return func() {
		for range DefaultBacklog {
			nfd, _, err := acceptNonblock(fd)
			switch {
			case err == nil:
				s.serve(nfd)
				continue
			case err == unix.EAGAIN:
				return
			case err == unix.EINTR || err == unix.ECONNABORTED:
				continue
			case err == unix.EMFILE || err == unix.ENFILE || err == unix.ENOBUFS || err == unix.ENOMEM:
				// Out of resources: stop listening for a while rather than
				// spin on a socket that stays readable, then try again.
				s.loop.CallExceptionHandler(ExceptionContext{
					Message: fmt.Sprintf("accept failed, retrying in %v", acceptRetryDelay),
					Err:     &net.OpError{Op: "accept", Net: "tcp", Err: err},
				})
				s.loop.RemoveReader(fd)
				s.loop.CallLater(acceptRetryDelay, func() {
					if !s.closed {
						s.loop.AddReader(fd, s.acceptFrom(fd))
					}
				})
				return
			default:
				s.loop.CallExceptionHandler(ExceptionContext{Message: "accept failed", Err: &net.OpError{Op: "accept", Net: "tcp", Err: err}})
				return
			}
		}
	}
}

// serve connects an accepted socket to a new protocol.
func (s *Server) serve(fd int) {
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	t := newFDTransport(s.loop, fd, s.factory())
	s.conns[t] = struct{}{}
	t.onLost = func() {
		delete(s.conns, t)
		s.maybeDone()
	}
	t.start()
}

// Addrs returns the addresses the server listens on.
func (s *Server) Addrs() []net.Addr { return s.addrs }

// IsServing reports whether the server accepts connections.
func (s *Server) IsServing() bool { return !s.closed }

// Close stops listening; connections already accepted go on until they end
// (CloseClients and AbortClients end them). WaitClosed waits for that.
func (s *Server) Close() {
	if s.closed {
		return
	}
	s.closed = true
	s.loop.untrack(s)
	s.closeListeners()
	s.maybeDone()
}

func (s *Server) isServer() bool { return true }

// closeForLoop closes the server when its loop closes.
func (s *Server) closeForLoop() { s.Close() }

func (s *Server) closeListeners() {
	for _, fd := range s.listeners {
		s.loop.RemoveReader(fd)
		unix.Close(fd)
	}
	s.listeners = nil
}

func (s *Server) maybeDone() {
	if s.closed && len(s.conns) == 0 {
		s.done.Set()
	}
}

// CloseClients closes every connection of the server, each after its
// buffer is sent.
func (s *Server) CloseClients() {
	for t := range s.conns {
		t.Close()
	}
}

// AbortClients aborts every connection of the server.
func (s *Server) AbortClients() {
	for t := range s.conns {
		t.Abort()
	}
}

// WaitClosed waits until the server is closed and every connection it
// accepted has ended (asyncio 3.12's wait_closed).
func (s *Server) WaitClosed(ctx context.Context) error { return s.done.Wait(ctx) }

// ServeForever serves until ctx ends, then closes the server and returns
// ctx's error (asyncio's serve_forever, which runs until cancelled). It
// returns nil at once if the server was closed.
func (s *Server) ServeForever(ctx context.Context) error {
	if s.closed {
		return nil
	}
	err := s.done.Wait(ctx)
	if err != nil {
		s.Close()
	}
	return err
}

// CreateConnection connects to addr ("host:port") over TCP, trying each
// address the host resolves to in turn, and connects the socket to the
// Protocol factory makes (loop.create_connection). It returns the
// transport and the protocol. Host names are resolved off the loop, on its
// executor. If every address fails, the error joins every attempt's.
func CreateConnection(ctx context.Context, network, addr string, factory func() Protocol) (Transport, Protocol, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, nil, ErrNoTask
	}
	ips, port, err := resolve(ctx, network, addr, false)
	if err != nil {
		return nil, nil, err
	}
	var errs []error
	for _, ip := range ips {
		fd, err := dialTCP(ctx, ip, port)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		p := factory()
		t := newFDTransport(l, fd, p)
		t.start()
		return t, p, nil
	}
	return nil, nil, errors.Join(errs...)
}

func dialTCP(ctx context.Context, ip net.IP, port int) (int, error) {
	family := unix.AF_INET6
	if ip.To4() != nil {
		family = unix.AF_INET
	}
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, err
	}
	if err := SockConnect(ctx, fd, &net.TCPAddr{IP: ip, Port: port}); err != nil {
		unix.Close(fd)
		return -1, err
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	return fd, nil
}

// resolve splits addr and resolves its host, off the loop. An empty host
// means every interface for a listener (both families, as asyncio binds)
// and the loopback for a dialer.
func resolve(ctx context.Context, network, addr string, listen bool) ([]net.IP, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, 0, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, 0, fmt.Errorf("asyncio: invalid port in %q", addr)
	}
	var ips []net.IP
	switch {
	case host == "" && listen:
		ips = []net.IP{net.IPv4zero, net.IPv6unspecified}
	case host == "":
		ips = []net.IP{net.IPv4(127, 0, 0, 1)}
	case net.ParseIP(host) != nil:
		ips = []net.IP{net.ParseIP(host)}
	default:
		found, err := ToThread(ctx, func() ([]net.IPAddr, error) {
			return net.DefaultResolver.LookupIPAddr(context.WithoutCancel(ctx), host)
		})
		if err != nil {
			return nil, 0, err
		}
		for _, a := range found {
			ips = append(ips, a.IP)
		}
	}
	var out []net.IP
	for _, ip := range ips {
		is4 := ip.To4() != nil
		if network == "tcp4" && !is4 || network == "tcp6" && is4 {
			continue
		}
		out = append(out, ip)
	}
	if len(out) == 0 {
		return nil, 0, fmt.Errorf("asyncio: no %s address for %q", network, addr)
	}
	return out, port, nil
}
