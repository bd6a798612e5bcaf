package simnet

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A Link describes one direction of the path between two hosts.
type Link struct {
	// Latency is the time a packet takes, at the least.
	Latency time.Duration
	// Jitter is the most a packet may take beyond Latency; each packet
	// draws its share uniformly, so packets overtake one another.
	Jitter time.Duration
	// Loss is the probability that one transmission of a packet is lost,
	// from 0 to 1.
	Loss float64
	// Bandwidth is the rate, in bytes per second, at which the link takes
	// packets; each waits for those sent before it. Zero means no limit.
	Bandwidth int
}

// DefaultUserTimeout is how long a packet is sent again before its
// connection, or its dial, gives up, unless SetUserTimeout says otherwise.
const DefaultUserTimeout = 2 * time.Minute

// A Network is a simulated network of hosts on one loop. Make one with
// New.
type Network struct {
	loop        *asyncio.Loop
	rand        *rand.Rand
	defaultLink Link
	links       map[route]Link
	cut         map[route]bool
	busy        map[route]time.Duration // when a link with a bandwidth is free again
	hosts       map[string]*Host
	userTimeout time.Duration
	stats       Stats
}

// A route is a direction between two hosts.
type route struct{ from, to string }

// Stats counts what a network carried.
type Stats struct {
	Packets int // packets sent, each transmission counted
	Lost    int // of those, lost to Loss or to a partition
}

// New returns a network on the loop of ctx whose random draws all come from
// seed. Every link is perfect until SetDefaultLink or SetLink.
func New(ctx context.Context, seed uint64) (*Network, error) {
	l := asyncio.RunningLoop(ctx)
	if l == nil {
		return nil, asyncio.ErrNoTask
	}
	return &Network{
		loop:        l,
		rand:        rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d)),
		links:       make(map[route]Link),
		cut:         make(map[route]bool),
		busy:        make(map[route]time.Duration),
		hosts:       make(map[string]*Host),
		userTimeout: DefaultUserTimeout,
	}, nil
}

// Host returns the host of the network called name, adding it if it is
// new. A name is what a dial gives before the port ("db" in "db:5432").
func (n *Network) Host(name string) *Host {
	h := n.hosts[name]
	if h == nil {
		h = &Host{net: n, name: name, ports: make(map[int]*Listener), endpoints: make(map[int]*endpoint), nextPort: firstEphemeralPort}
		n.hosts[name] = h
	}
	return h
}

// SetDefaultLink sets the link between every two hosts that SetLink did
// not set. A host's link to itself is always perfect, as loopback is.
func (n *Network) SetDefaultLink(l Link) { n.defaultLink = l }

// SetLink sets the link between hosts a and b, both ways.
func (n *Network) SetLink(a, b string, l Link) {
	n.links[route{a, b}] = l
	n.links[route{b, a}] = l
}

// SetUserTimeout sets how long a packet of a connection is sent again
// before the connection gives up with syscall.ETIMEDOUT (TCP's
// TCP_USER_TIMEOUT), and a dial with it.
func (n *Network) SetUserTimeout(d time.Duration) { n.userTimeout = d }

// Partition cuts the links between hosts a and b, both ways, until Heal.
func (n *Network) Partition(a, b string) {
	n.cut[route{a, b}] = true
	n.cut[route{b, a}] = true
}

// Heal restores the links between hosts a and b.
func (n *Network) Heal(a, b string) {
	delete(n.cut, route{a, b})
	delete(n.cut, route{b, a})
}

// Stats returns what the network has carried so far.
func (n *Network) Stats() Stats { return n.stats }

// link returns the link from host a to host b.
func (n *Network) link(r route) Link {
	if r.from == r.to {
		return Link{}
	}
	if l, ok := n.links[r]; ok {
		return l
	}
	return n.defaultLink
}
