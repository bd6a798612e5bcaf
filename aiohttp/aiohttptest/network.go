package aiohttptest

import (
	"context"
	"errors"
	"net"
	"net/http"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// DefaultSeed is the seed of a Network's random draws unless Seed says
// otherwise. They matter only once links have jitter or loss.
const DefaultSeed = 1

// ClientHost is the host a Network's Session dials from.
const ClientHost = "client"

// A Network is an in-memory network on a loop where handlers are served
// at host names and sessions reach them: a simnet.Network with aiohttp's
// server and client on it. Make one with NewNetwork, and Close it when
// done.
type Network struct {
	sim      *simnet.Network
	servers  []*Server
	sessions []*aiohttp.Session
}

// An Option configures NewNetwork.
type Option func(*config)

type config struct{ seed uint64 }

// Seed sets the seed of the network's random draws (DefaultSeed if not
// given): with jitter or loss on its links, another seed is another run.
func Seed(seed uint64) Option { return func(c *config) { c.seed = seed } }

// NewNetwork returns a network on the loop of ctx, which must be the ctx
// of a task; it panics if not, as httptest.NewServer panics when it cannot
// listen. Its links are perfect (no latency) until Simnet changes them.
func NewNetwork(ctx context.Context, opts ...Option) *Network {
	c := config{seed: DefaultSeed}
	for _, o := range opts {
		o(&c)
	}
	sim, err := simnet.New(ctx, c.seed)
	if err != nil {
		panic("aiohttptest: NewNetwork: " + err.Error())
	}
	return &Network{sim: sim}
}

// Simnet returns the simulated network under n, to set the latency, loss
// or bandwidth of its links, or to partition two hosts.
func (n *Network) Simnet() *simnet.Network { return n.sim }

// Serve serves h at addr, a host name ("api.test", then port 80) or a
// host and port ("api.test:8080"), with aiohttp's server given opts
// (aiohttp.HandlerTimeout, limits, ...). ctx must be the ctx of a task of
// the network's loop: the tasks of requests take their values from it.
// The server's URL is "http://" and addr, without port 80. Serve panics
// if opts cannot apply (TLS, Workers) or addr is taken.
func (n *Network) Serve(ctx context.Context, addr string, h http.Handler, opts ...aiohttp.ServerOption) *Server {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		host, port = addr, "80"
	}
	srv, err := aiohttp.NewServer(ctx, h, opts...)
	if err != nil {
		panic("aiohttptest: Serve: " + err.Error())
	}
	s := &Server{net: n, srv: srv, URL: "http://" + host}
	if port != "80" {
		s.URL = "http://" + net.JoinHostPort(host, port)
	}
	factory := srv.ProtocolFactory()
	s.lis, err = n.sim.Host(host).CreateServer(ctx, ":"+port, func() asyncio.Protocol {
		s.accepted++
		return factory()
	})
	if err != nil {
		panic("aiohttptest: Serve: " + err.Error())
	}
	n.servers = append(n.servers, s)
	return s
}

// Session returns a new session whose connections go over the network,
// from host ClientHost, to any host it serves; opts are the session's
// other options. Close closes it, unless the caller has.
func (n *Network) Session(opts ...aiohttp.SessionOption) *aiohttp.Session {
	return n.SessionFrom(ClientHost, opts...)
}

// SessionFrom is Session with the connections dialed from host: the
// sessions of an application served at host, for its outgoing calls, so
// that a partition between host and another cuts them.
func (n *Network) SessionFrom(host string, opts ...aiohttp.SessionOption) *aiohttp.Session {
	all := append([]aiohttp.SessionOption{aiohttp.Dial(n.sim.Host(host).CreateConnection)}, opts...)
	s := aiohttp.NewSession(all...)
	n.sessions = append(n.sessions, s)
	return s
}

// Close closes every session the network made and every server it
// serves, at once (see Server.Close), and returns when they are gone.
func (n *Network) Close(ctx context.Context) error {
	var errs []error
	for _, s := range n.sessions {
		errs = append(errs, s.Close(ctx))
	}
	for _, s := range n.servers {
		errs = append(errs, s.close(ctx))
	}
	n.sessions, n.servers = nil, nil
	return errors.Join(errs...)
}
