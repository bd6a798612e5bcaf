package simnet

import "time"

// headerSize is what a packet costs on a link beyond its payload, for the
// bandwidth: the size of IPv4 and TCP headers.
const headerSize = 40

// Retransmission timeouts: the first is minRTO plus twice the link's
// latency and jitter, a round trip at its slowest; each loss of the same
// packet doubles it, up to maxRTO.
const (
	minRTO = 200 * time.Millisecond
	maxRTO = time.Minute
)

// send puts one packet of size bytes on route r. arrive runs when it
// arrives; lost, if not nil, runs instead when it is lost, at the moment it
// would have arrived. Whether a packet is lost to the link's Loss is drawn
// now; whether a partition loses it, when it arrives.
func (n *Network) send(r route, size int, arrive, lost func()) {
	l := n.link(r)
	n.stats.Packets++
	delay := l.Latency
	if l.Jitter > 0 {
		delay += time.Duration(n.rand.Int64N(int64(l.Jitter) + 1))
	}
	if l.Bandwidth > 0 {
		// The packet goes on the wire once those before it have, and
		// takes its size over the bandwidth to do so.
		now := n.loop.Time()
		start := max(now, n.busy[r])
		done := start + time.Duration(int64(size)*int64(time.Second)/int64(l.Bandwidth))
		n.busy[r] = done
		delay += done - now
	}
	dropped := l.Loss > 0 && n.rand.Float64() < l.Loss
	n.loop.CallLater(delay, func() {
		if dropped || n.cut[r] {
			n.stats.Lost++
			if lost != nil {
				lost()
			}
			return
		}
		arrive()
	})
}

// A reliable is a packet sent again and again until it arrives, as TCP
// sends a segment: the arrival is the acknowledgement, which the
// simulation needs no packet for.
type reliable struct {
	n      *Network
	r      route
	size   int
	arrive func()
	giveUp func() // runs if the packet has not arrived after the user timeout
	first  time.Duration
	sentAt time.Duration
	rto    time.Duration
	done   bool // arrived, or given up
	// stopped: the sender is gone and sends it no more, but a copy on
	// the way still arrives.
	stopped bool
}

// sendReliably sends a packet of size bytes on route r until it arrives,
// then runs arrive; giveUp runs instead if it has been sent again for
// longer than the network's user timeout.
func (n *Network) sendReliably(r route, size int, arrive, giveUp func()) *reliable {
	l := n.link(r)
	p := &reliable{
		n: n, r: r, size: size, arrive: arrive, giveUp: giveUp,
		first: n.loop.Time(),
		rto:   minRTO + 2*(l.Latency+l.Jitter),
	}
	p.transmit()
	return p
}

// stop stops sending the packet again: its sender is gone. A copy on the
// way still arrives.
func (p *reliable) stop() { p.stopped = true }

func (p *reliable) transmit() {
	if p.done || p.stopped {
		return
	}
	p.sentAt = p.n.loop.Time()
	p.n.send(p.r, p.size, p.arrived, p.lost)
}

func (p *reliable) arrived() {
	if p.done {
		return
	}
	p.done = true
	p.arrive()
}

// lost schedules the next transmission, one retransmission timeout after
// the last, or gives up if that would be past the user timeout.
func (p *reliable) lost() {
	if p.done || p.stopped {
		return
	}
	now := p.n.loop.Time()
	next := max(now, p.sentAt+p.rto)
	if deadline := p.first + p.n.userTimeout; next > deadline {
		p.n.loop.CallLater(max(0, deadline-now), func() {
			if !p.done && !p.stopped {
				p.done = true
				p.giveUp()
			}
		})
		return
	}
	p.rto = min(2*p.rto, maxRTO)
	p.n.loop.CallLater(next-now, p.transmit)
}
