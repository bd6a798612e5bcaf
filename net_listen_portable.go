package asyncio

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
)

// netListener is a listening socket of the portable backend: a goroutine
// accepts and hands each connection to the loop.
type netListener struct {
	s       *Server
	ln      net.Listener
	network string
	retry   chan struct{} // the loop lets the acceptor go on after a failure

	// Connections accepted and on their way to the loop: if the loop
	// closes first, the callback carrying one is dropped, and close
	// closes it instead.
	mu      sync.Mutex
	inbound map[net.Conn]struct{}
	closed  bool
}

// listenPortable listens on a with the net package.
func listenPortable(s *Server, a net.Addr) (listener, error) {
	lc := net.ListenConfig{KeepAlive: -1}
	if s.cfg.reusePort {
		lc.Control = reusePortControl
	}
	if ua, ok := a.(*net.UnixAddr); ok {
		if err := removeStaleSocketFile(ua.Name); err != nil {
			return nil, err
		}
	}
	network := a.Network()
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.To4() == nil {
		network = "tcp6" // bind each family on its own socket, as the poller backend does
	} else if ok {
		network = "tcp4"
	}
	ln, err := lc.Listen(context.Background(), network, a.String())
	if err != nil {
		var oe *net.OpError
		if errors.As(err, &oe) {
			return nil, oe.Err
		}
		return nil, err
	}
	if err := setBacklog(ln, s.cfg.backlog); err != nil {
		ln.Close()
		return nil, err
	}
	return &netListener{s: s, ln: ln, network: a.Network(), retry: make(chan struct{}, 1), inbound: make(map[net.Conn]struct{})}, nil
}

func (ln *netListener) addr() net.Addr { return ln.ln.Addr() }

// serve starts the acceptor goroutine. It is owned by the server and ends
// when close closes the listener.
func (ln *netListener) serve() {
	l := ln.s.loop
	l.ioGoroutines.Add(1)
	go func() {
		defer l.ioGoroutines.Done()
		for {
			conn, err := ln.ln.Accept()
			if err != nil {
				if errors.Is(err, net.ErrClosed) {
					return
				}
				// Out of descriptors or memory, most likely: back off.
				if l.CallSoonThreadsafe(func() { ln.s.acceptFailed(ln.network, err, ln.resume) }).Cancelled() {
					return
				}
				<-ln.retry // the loop's timer, or close
				continue
			}
			if tc, ok := conn.(*net.TCPConn); ok && ln.s.cfg.keepAlive {
				tc.SetKeepAlive(true)
			}
			ln.mu.Lock()
			if ln.closed {
				ln.mu.Unlock()
				conn.Close()
				return
			}
			ln.inbound[conn] = struct{}{}
			ln.mu.Unlock()
			l.CallSoonThreadsafe(func() {
				ln.mu.Lock()
				_, ours := ln.inbound[conn]
				delete(ln.inbound, conn)
				ln.mu.Unlock()
				if ours {
					ln.s.accepted(newConnTransport(l, conn, nil))
				}
			})
		}
	}()
}

// resume lets the acceptor accept again after an exhaustion back-off.
func (ln *netListener) resume() {
	select {
	case ln.retry <- struct{}{}:
	default:
	}
}

// close closes the socket, which ends the acceptor, and the connections
// still on their way to the loop.
func (ln *netListener) close() {
	ln.ln.Close()
	ln.resume()
	ln.mu.Lock()
	ln.closed = true
	for conn := range ln.inbound {
		conn.Close()
	}
	clear(ln.inbound)
	ln.mu.Unlock()
}

// removeStaleSocketFile removes a socket file left at path by a process
// that did not clean up; anything else at path is left for bind to refuse.
func removeStaleSocketFile(path string) error {
	if path == "" || path[0] == '@' {
		return nil
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode()&os.ModeSocket == 0 {
		return nil
	}
	return os.Remove(path)
}
