// Package monitor serves a debug endpoint for a running program that uses
// asyncio: the tasks of each of its loops with what they wait for and
// since when, the await cycles among them, the loop lag, the slowest
// steps, and Chrome traces on demand. It serves them as JSON, which the
// asyncio command reads (asyncio ps, pstree, top, trace; see
// cmd/asyncio), and as a page for a browser that refreshes itself.
//
// The endpoint is opt-in. A program calls Start, or imports the package
// for its side effect and is run with the environment variable
// ASYNCIOMONITOR set, as net/http/pprof is imported:
//
//	import _ "github.com/asyncio-go/asyncio/monitor"
//
// ASYNCIOMONITOR takes one of:
//
//	1                 serve on the Unix socket SocketPath(pid)
//	unix:PATH         serve on a Unix socket at PATH
//	HOST:PORT         serve on TCP at a loopback address, such as
//	                  127.0.0.1:6060 or localhost:6060
//
// Unset, empty or 0, it starts nothing. If the value is malformed or the
// endpoint cannot be set up, the program says so on standard error and
// runs on without it: a debugging aid must not stop a program from
// starting. Default returns the server started this way.
//
// # Endpoints
//
//	GET /                         the monitor page
//	GET /loops                    the process and its open loops, summarised
//	GET /loops/{id}               the loop's asyncio.Snapshot; ?stacks=1 adds the stacks
//	GET /loops/{id}/trace         a Chrome trace of the next ?seconds=N (default 5, at most 60)
//
// Their errors come as JSON objects with an "error" field and an HTTP
// status saying what kind: 400 for a bad parameter, 404 for a loop that
// is not open, 409 for a trace of a loop already being traced. Handler
// serves the same on a server of the program's own.
//
// # Access
//
// The endpoint shows task names and stacks, and a trace makes the loop
// time its steps, so it serves only where the user running the program
// can reach it: a Unix socket that only its owner may open, or a TCP
// address on the loopback interface. Start refuses any other address.
// To look at a program on another machine, forward its endpoint, for
// instance with ssh -L.
package monitor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
)

// SocketPath returns the path of the Unix socket the endpoint of process
// pid serves on by default: asyncio-PID.sock in the directory of
// temporary files. The asyncio command finds a process's endpoint there
// from its pid alone.
func SocketPath(pid int) string {
	return filepath.Join(os.TempDir(), "asyncio-"+strconv.Itoa(pid)+".sock")
}

// An Option configures Start.
type Option func(*config)

type config struct {
	network string // "unix" or "tcp"
	address string
}

// WithSocket makes the endpoint serve on a Unix socket at path rather
// than at SocketPath(os.Getpid()).
func WithSocket(path string) Option {
	return func(c *config) { c.network, c.address = "unix", path }
}

// WithTCP makes the endpoint serve on TCP at addr, which must be a
// loopback address with a port: "127.0.0.1:6060", "[::1]:6060",
// "localhost:6060", or port 0 for any free port (Server.Addr tells which).
// A browser can open the monitor page only this way.
func WithTCP(addr string) Option {
	return func(c *config) { c.network, c.address = "tcp", addr }
}

// A Server is a running debug endpoint.
//
// Start starts one goroutine, which accepts connections, and the HTTP
// server starts one for each connection; the Server owns them all, and
// Close ends them all before it returns.
type Server struct {
	ln     net.Listener
	http   *http.Server
	cancel context.CancelFunc // ends the requests in flight, such as traces

	served chan struct{} // closed when the accepting goroutine has ended
	conns  sync.WaitGroup

	closeMu sync.Mutex
	closed  bool
}

// Start starts serving the debug endpoint: on the Unix socket
// SocketPath(os.Getpid()) unless an option says otherwise. A socket file
// already at the path is replaced if no process listens on it any more
// (one that exited without Close leaves it behind), and is an error if
// one does.
func Start(opts ...Option) (*Server, error) {
	s, err := start(opts)
	if err != nil {
		return nil, fmt.Errorf("monitor: %w", err)
	}
	return s, nil
}

// start is Start, with errors that do not say where they come from.
func start(opts []Option) (*Server, error) {
	cfg := config{network: "unix", address: SocketPath(os.Getpid())}
	for _, o := range opts {
		o(&cfg)
	}
	var ln net.Listener
	var err error
	switch cfg.network {
	case "unix":
		ln, err = listenUnix(cfg.address)
	default:
		ln, err = listenLoopback(cfg.address)
	}
	if err != nil {
		return nil, err
	}
	return newServer(ln, Handler()), nil
}

// newServer serves h on ln until Close.
func newServer(ln net.Listener, h http.Handler) *Server {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{ln: ln, cancel: cancel, served: make(chan struct{})}
	s.http = &http.Server{
		Handler:     h,
		BaseContext: func(net.Listener) context.Context { return ctx },
		// Counting connections in and out lets Close wait for the
		// goroutine of each: the HTTP server has no way to do that.
		// StateNew is reported on the accepting goroutine before the
		// connection's goroutine starts, so every Add happens before
		// Close waits.
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				s.conns.Add(1)
			case http.StateClosed, http.StateHijacked:
				s.conns.Done()
			}
		},
	}
	go func() {
		defer close(s.served)
		s.http.Serve(ln) // returns http.ErrServerClosed at Close
	}()
	return s
}

// Addr returns the address the endpoint serves on: a *net.UnixAddr whose
// String is the socket's path, or a *net.TCPAddr. Either string is what
// the asyncio command takes as ADDR.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Close stops the endpoint: it closes the listener, which removes the
// Unix socket, ends the requests in flight (a trace being recorded stops
// and is dropped) and waits for the server's goroutines to end. Closing
// a closed Server does nothing and returns nil.
func (s *Server) Close() error {
	s.closeMu.Lock()
	defer s.closeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.cancel()
	err := s.http.Close()
	<-s.served
	s.conns.Wait()
	if errors.Is(err, net.ErrClosed) {
		err = nil
	}
	return err
}
