package aiohttptest

import (
	"context"
	"net/http"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// NewServerHost is the host name NewServer serves at.
const NewServerHost = "app.test"

// A Server is a handler served on a Network by aiohttp's server: Serve
// and NewServer make one.
type Server struct {
	// URL is the server's base URL, "http://host" or "http://host:port",
	// with no trailing slash, as httptest.Server's is.
	URL string

	net      *Network
	srv      *aiohttp.Server
	lis      *simnet.Listener
	accepted int
	session  *aiohttp.Session // made by Session, on first use
	ownNet   bool             // made by NewServer: Close closes the network
	closed   bool
}

// NewServer serves h at http://app.test (NewServerHost) on a network of
// its own, as httptest.NewServer serves a handler on a port of its own,
// and returns the server; opts are aiohttp's server options. ctx must be
// the ctx of a task. Close closes the server and the network, with every
// session made on it.
func NewServer(ctx context.Context, h http.Handler, opts ...aiohttp.ServerOption) *Server {
	s := NewNetwork(ctx).Serve(ctx, NewServerHost, h, opts...)
	s.ownNet = true
	return s
}

// Network returns the network the server is served on.
func (s *Server) Network() *Network { return s.net }

// Session returns a session of the server's network (Network.Session),
// the same one each time, to send the server requests: ts.Client() of
// httptest, as an aiohttp.Session. It closes with the network.
func (s *Server) Session() *aiohttp.Session {
	if s.session == nil {
		s.session = s.net.Session()
	}
	return s.session
}

// Client returns an http.Client whose Transport is Session's: requests
// made with it from a task of the loop suspend the task, as a Session's
// do, and those from another goroutine block it.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: s.Session().Transport()}
}

// Accepted returns how many connections the server has accepted so far:
// a test of keep-alive counts on it.
func (s *Server) Accepted() int { return s.accepted }

// Shutdown stops accepting connections and shuts the server down
// gracefully, as aiohttp.Server.Shutdown does: requests in flight finish,
// and their connections close once their response is sent. If ctx ends
// first, what is left is cancelled and aborted, and Shutdown returns
// ctx's error.
func (s *Server) Shutdown(ctx context.Context) error {
	s.lis.Close()
	return s.srv.Shutdown(ctx)
}

// Close closes the server at once, as aiohttp.Server.Close does (the
// tasks of requests in flight are cancelled and every connection
// aborted), and returns when those tasks have ended. A server made by
// NewServer closes its network with it.
func (s *Server) Close(ctx context.Context) error {
	if s.ownNet {
		return s.net.Close(ctx)
	}
	return s.close(ctx)
}

// close is Close of the server alone.
func (s *Server) close(ctx context.Context) error {
	if s.closed {
		return nil
	}
	s.closed = true
	s.lis.Close()
	s.srv.Close()
	// The cancelled tasks end at their next step: wait for that even if
	// ctx has ended, so that none outlives Close.
	return s.srv.Wait(context.WithoutCancel(ctx))
}
