package asyncio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// A DatagramProtocol receives the events of a datagram endpoint from its
// DatagramTransport (asyncio.DatagramProtocol). The loop calls its methods
// on the loop, one at a time: ConnectionMade first, then DatagramReceived
// and ErrorReceived any number of times, and ConnectionLost last, exactly
// once. A protocol that also implements WriteFlowControl is paused and
// resumed as the transport's send buffer fills and drains.
type DatagramProtocol interface {
	// ConnectionMade is called when the endpoint is ready, with its
	// transport.
	ConnectionMade(t DatagramTransport)
	// DatagramReceived is called with each datagram that arrives and the
	// address it came from (a *net.UDPAddr or *net.UnixAddr; nil for an
	// unnamed Unix socket). p belongs to the transport and is valid only
	// during the call: copy what must be kept.
	DatagramReceived(p []byte, addr net.Addr)
	// ErrorReceived is called when sending or receiving fails with an
	// error of the network, such as an ICMP port unreachable answered to
	// an earlier datagram (syscall.ECONNREFUSED on a connected endpoint).
	// The endpoint stays open; the datagram concerned is lost.
	ErrorReceived(err error)
	// ConnectionLost is called when the endpoint is closed: err is nil
	// for Close or Abort, ErrLoopClosed when its loop closed it.
	ConnectionLost(err error)
}

// BaseDatagramProtocol implements DatagramProtocol with methods that do
// nothing, to embed in a protocol that needs only some of them.
type BaseDatagramProtocol struct{}

// ConnectionMade does nothing.
func (BaseDatagramProtocol) ConnectionMade(DatagramTransport) {}

// DatagramReceived does nothing.
func (BaseDatagramProtocol) DatagramReceived([]byte, net.Addr) {}

// ErrorReceived does nothing.
func (BaseDatagramProtocol) ErrorReceived(error) {}

// ConnectionLost does nothing.
func (BaseDatagramProtocol) ConnectionLost(error) {}

// A DatagramTransport is a datagram endpoint as the loop drives it
// (asyncio.DatagramTransport): sends never block, and what arrives is
// delivered to the DatagramProtocol. Its methods are called from code
// running on the loop.
type DatagramTransport interface {
	// SendTo queues p to be sent as one datagram to addr; p may be reused
	// once SendTo returns, and may be empty. An endpoint made with a
	// remote address sends there when addr is nil; addr must then be nil
	// or that address. It never blocks: a datagram the socket does not
	// take at once is buffered. A failure of the network goes to the
	// protocol's ErrorReceived, not to the caller. SendTo returns an
	// error wrapping ErrDatagramAddr for a missing or wrong address, and
	// ErrTransportClosing once the transport is closing.
	SendTo(p []byte, addr net.Addr) error
	// Close closes the endpoint once the buffer is sent; the protocol's
	// ConnectionLost gets nil in a later iteration. Closing twice does
	// nothing.
	Close() error
	// Abort closes the endpoint at once, dropping the buffer.
	Abort()
	// IsClosing reports whether Close or Abort was called.
	IsClosing() bool
	// PauseReading stops DatagramReceived until ResumeReading.
	PauseReading()
	// ResumeReading resumes DatagramReceived.
	ResumeReading()
	// IsReading reports whether the transport delivers datagrams.
	IsReading() bool
	// SetWriteBufferLimits sets the marks at which a protocol
	// implementing WriteFlowControl is paused and resumed, as a
	// Transport's SetWriteBufferLimits does.
	SetWriteBufferLimits(high, low int) error
	// WriteBufferLimits returns the high and low marks, in the order
	// SetWriteBufferLimits takes them.
	WriteBufferLimits() (high, low int)
	// WriteBufferSize returns the size of the datagrams waiting to be
	// sent, each counted with DatagramHeaderSize bytes more, so that a
	// flood of empty datagrams still fills the buffer (asyncio 3.13).
	WriteBufferSize() int
	// LocalAddr returns the socket's address (asyncio's
	// get_extra_info("sockname")), or nil.
	LocalAddr() net.Addr
	// RemoteAddr returns the address SendTo sends to when given none: the
	// remote address the endpoint was made with, or nil.
	RemoteAddr() net.Addr
	// Protocol returns the protocol the transport delivers to.
	Protocol() DatagramProtocol
	// SetProtocol makes the transport deliver to p from now on (asyncio's
	// set_protocol); p gets no ConnectionMade.
	SetProtocol(p DatagramProtocol)
}

// DatagramHeaderSize is what a datagram waiting in a transport's buffer
// counts for beyond its payload (asyncio's 8, a UDP header).
const DatagramHeaderSize = 8

// ErrDatagramAddr is wrapped by the error SendTo returns when addr is nil
// on an endpoint with no remote address, or names another address than
// the remote one of the endpoint (asyncio raises ValueError for the
// latter, and fails the transport for the former).
var ErrDatagramAddr = errors.New("asyncio: invalid datagram address")

type datagramConfig struct {
	reusePort bool
	broadcast bool
}

// CreateDatagramEndpoint opens a datagram socket and connects it to the
// DatagramProtocol factory makes (loop.create_datagram_endpoint). It
// returns once the protocol's ConnectionMade has run, as asyncio does.
//
// network is "udp", "udp4" or "udp6", with addresses "host:port", or
// "unixgram", with socket paths (a name starting with "@" is in Linux's
// abstract namespace; a stale socket file at localAddr is removed first).
// localAddr, if not empty, is the address the socket binds to: an empty
// host is every interface, port 0 picks a free port. remoteAddr, if not
// empty, is the address the socket is connected to: SendTo with a nil
// address sends there, and only datagrams from there are received; an
// empty host is the loopback. With neither, the socket is unbound, and
// network must name the family ("udp4" or "udp6"). Host names are
// resolved off the loop; when both addresses are given, the first family
// both resolve to is used. IPv6 sockets are IPv6 only.
func CreateDatagramEndpoint(ctx context.Context, network, localAddr, remoteAddr string, factory func() DatagramProtocol, opts ...DatagramOption) (DatagramTransport, DatagramProtocol, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, nil, ErrNoTask
	}
	var cfg datagramConfig
	for _, o := range opts {
		o.applyDatagram(&cfg)
	}
	pairs, err := datagramAddrs(ctx, network, localAddr, remoteAddr)
	if err != nil {
		return nil, nil, err
	}
	var t datagramTransport
	var first error
	for _, pair := range pairs {
		if t, err = l.openDatagram(ctx, pair, cfg); err == nil {
			break
		}
		if first == nil { // asyncio reports the first family's failure
			first = err
		}
	}
	if t == nil {
		return nil, nil, first
	}
	proto := factory()
	t.SetProtocol(proto)
	made := NewFuture[struct{}](ctx)
	l.CallSoon(func() {
		defer made.TrySetResult(struct{}{})
		t.Protocol().ConnectionMade(t)
		if t.IsReading() {
			t.startReading()
		}
	})
	if _, err := made.Wait(ctx); err != nil {
		t.Close()
		return nil, nil, err
	}
	return t, proto, nil
}

// openDatagram opens a socket for pair on the loop's backend and wraps it
// in a transport, not yet started.
func (l *Loop) openDatagram(ctx context.Context, pair datagramPair, cfg datagramConfig) (datagramTransport, error) {
	if l.portable() {
		return openNetDatagram(ctx, l, pair, cfg)
	}
	return openFDDatagram(ctx, l, pair, cfg)
}

// datagramTransport is what both backends' transports offer the package
// beyond DatagramTransport.
type datagramTransport interface {
	DatagramTransport
	// startReading starts delivering datagrams, after ConnectionMade.
	startReading()
}

// A datagramPair is what one socket is opened with: the network ("udp4",
// "udp6" or "unixgram") and the addresses to bind and connect to, each
// possibly nil.
type datagramPair struct {
	network       string
	local, remote net.Addr
}

// datagramAddrs resolves the addresses of CreateDatagramEndpoint into the
// sockets to try, one per family, in the order asyncio tries them: the
// families of the local address's resolution, then the remote's, keeping
// those both addresses (when both are given) resolve to.
func datagramAddrs(ctx context.Context, network, local, remote string) ([]datagramPair, error) {
	switch network {
	case "unixgram":
		pair := datagramPair{network: network}
		if local != "" {
			pair.local = &net.UnixAddr{Name: local, Net: network}
		}
		if remote != "" {
			pair.remote = &net.UnixAddr{Name: remote, Net: network}
		}
		return []datagramPair{pair}, nil
	case "udp", "udp4", "udp6":
	default:
		return nil, net.UnknownNetworkError(network)
	}
	if local == "" && remote == "" {
		if network == "udp" {
			return nil, errors.New("asyncio: a udp endpoint with no address needs a family: use udp4 or udp6")
		}
		return []datagramPair{{network: network}}, nil
	}
	locals, err := datagramIPs(ctx, network, local, true)
	if err != nil {
		return nil, err
	}
	remotes, err := datagramIPs(ctx, network, remote, false)
	if err != nil {
		return nil, err
	}
	var pairs []datagramPair
	for _, a := range append(locals, remotes...) {
		fam := udpNetwork(a)
		seen := false
		for _, p := range pairs {
			seen = seen || p.network == fam
		}
		if seen {
			continue
		}
		pair := datagramPair{network: fam}
		if l := firstOfFamily(locals, fam); l != nil {
			pair.local = l
		} else if local != "" {
			continue
		}
		if r := firstOfFamily(remotes, fam); r != nil {
			pair.remote = r
		} else if remote != "" {
			continue
		}
		pairs = append(pairs, pair)
	}
	if len(pairs) == 0 {
		return nil, fmt.Errorf("asyncio: %q and %q resolve to no common address family", local, remote)
	}
	return pairs, nil
}

// datagramIPs resolves addr ("host:port", or "" for none) to the UDP
// addresses of network's families, as CreateConnection and CreateServer
// resolve theirs: an empty host is every interface for a local address
// and the loopback for a remote one.
func datagramIPs(ctx context.Context, network, addr string, local bool) ([]*net.UDPAddr, error) {
	if addr == "" {
		return nil, nil
	}
	found, err := resolveAddrs(ctx, network, addr, local, nil)
	if err != nil {
		return nil, err
	}
	out := make([]*net.UDPAddr, len(found))
	for i, a := range found {
		ta := a.(*net.TCPAddr)
		ip := ta.IP
		if ip4 := ip.To4(); ip4 != nil {
			ip = ip4
		}
		out[i] = &net.UDPAddr{IP: ip, Port: ta.Port, Zone: ta.Zone}
	}
	return out, nil
}

// udpNetwork names the family of a: "udp4" or "udp6".
func udpNetwork(a *net.UDPAddr) string {
	if a.IP.To4() != nil {
		return "udp4"
	}
	return "udp6"
}

func firstOfFamily(addrs []*net.UDPAddr, network string) net.Addr {
	for _, a := range addrs {
		if udpNetwork(a) == network {
			return a
		}
	}
	return nil
}

// datagramBase is the state and the logic the two backends' datagram
// transports share; loop only.
type datagramBase struct {
	flowControl
	size    int // bytes buffered, headers counted (see WriteBufferSize)
	loop    *Loop
	network string // "udp4", "udp6" or "unixgram"
	proto   DatagramProtocol
	// remote is where SendTo(p, nil) sends; connected tells whether the
	// socket is connected to it (it is not with AllowBroadcast).
	remote    net.Addr
	connected bool
}

func (b *datagramBase) init(l *Loop, pair datagramPair, connected bool) {
	b.loop, b.network, b.remote, b.connected = l, pair.network, pair.remote, connected
	b.flowControl = newFlowControl()
}

// dest checks SendTo's addr as asyncio's sendto does, and returns where
// the datagram goes: nil for the peer of a connected socket.
func (b *datagramBase) dest(addr net.Addr) (net.Addr, error) {
	if b.remote != nil {
		if addr != nil && !sameAddr(addr, b.remote) {
			return nil, fmt.Errorf("%w: %v: must be nil or %v", ErrDatagramAddr, addr, b.remote)
		}
		if b.connected {
			return nil, nil
		}
		return b.remote, nil
	}
	switch addr.(type) {
	case nil:
		return nil, fmt.Errorf("%w: nil, and the endpoint has no remote address", ErrDatagramAddr)
	case *net.UDPAddr:
		if b.network != "unixgram" {
			return addr, nil
		}
	case *net.UnixAddr:
		if b.network == "unixgram" {
			return addr, nil
		}
	}
	return nil, fmt.Errorf("%w: %T on a %s endpoint", ErrDatagramAddr, addr, b.network)
}

// sameAddr reports whether a and b name the same socket address.
func sameAddr(a, b net.Addr) bool {
	switch a := a.(type) {
	case *net.UDPAddr:
		b, ok := b.(*net.UDPAddr)
		return ok && unmap(a.AddrPort()) == unmap(b.AddrPort())
	case *net.UnixAddr:
		b, ok := b.(*net.UnixAddr)
		return ok && a.Name == b.Name
	}
	return false
}

func unmap(ap netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port())
}

// queued counts a datagram of n bytes into the buffer, with its header,
// pausing the protocol past the high mark.
func (b *datagramBase) queued(n int) {
	b.size += n + DatagramHeaderSize
	b.maybePause(b.loop, b.proto, b.size)
}

// sent counts n bytes out of the buffer, headers counted. The caller
// resumes the protocol (maybeResume) once it is done with the socket, as
// asyncio does.
func (b *datagramBase) sent(n int) { b.size = max(b.size-n, 0) }

// dropped empties the buffer's count when its datagrams are dropped: a
// paused protocol is not resumed, as in asyncio's abort.
func (b *datagramBase) dropped() {
	b.size = 0
	b.paused = false
}

// errorReceived reports an error of the network to the protocol, unless
// the endpoint is lost.
func (b *datagramBase) errorReceived(err error) {
	if !b.lost {
		b.proto.ErrorReceived(err)
	}
}

func (b *datagramBase) RemoteAddr() net.Addr { return b.remote }

func (b *datagramBase) Protocol() DatagramProtocol { return b.proto }

func (b *datagramBase) SetProtocol(p DatagramProtocol) {
	b.proto = p
}

func (b *datagramBase) isServer() bool { return false }

func (b *datagramBase) SetWriteBufferLimits(high, low int) error {
	return b.setLimits(b.loop, b.proto, b.size, high, low)
}

func (b *datagramBase) WriteBufferSize() int { return b.size }
