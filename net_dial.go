package asyncio

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// DefaultHappyEyeballsDelay is how long CreateConnection gives one address
// before it also tries the next (RFC 8305's connection attempt delay).
const DefaultHappyEyeballsDelay = 250 * time.Millisecond

type connConfig struct {
	limit      int    // OpenConnection's reader
	local      string // "host:port" to bind before connecting
	delay      time.Duration
	interleave int
	tls        *tls.Config
	tlsOpts    tlsConfig
	resolve    func(ctx context.Context, host string) ([]net.IPAddr, error)
}

// CreateConnection connects to addr and connects the socket to the Protocol
// factory makes (loop.create_connection, loop.create_unix_connection). It
// returns the transport and the protocol, once ConnectionMade has run.
// network is "tcp", "tcp4" or "tcp6", with addr "host:port" (an empty host
// means the loopback), or "unix", with addr a socket path.
//
// The host's addresses are tried as RFC 8305 ("Happy Eyeballs") says: the
// families alternate, and each attempt gets a head start (see
// HappyEyeballsDelay) before the next begins beside it; the first to connect
// wins and the others are cancelled. Host names are resolved off the loop.
// If every address fails, the error joins every attempt's error.
func CreateConnection(ctx context.Context, network, addr string, factory func() Protocol, opts ...ConnOption) (Transport, Protocol, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, nil, ErrNoTask
	}
	cfg := connConfig{delay: DefaultHappyEyeballsDelay, interleave: 1}
	for _, o := range opts {
		o.applyConn(&cfg)
	}
	addrs, err := resolveAddrs(ctx, network, addr, false, cfg.resolve)
	if err != nil {
		return nil, nil, err
	}
	var local net.Addr
	if cfg.local != "" {
		locals, err := dialAddrs(ctx, network, cfg.local)
		if err != nil {
			return nil, nil, fmt.Errorf("asyncio: local address: %w", err)
		}
		local = locals[0]
	}
	t, err := happyEyeballs(ctx, interleave(addrs, cfg.interleave), cfg.delay, func(ctx context.Context, a net.Addr) (transport, error) {
		return l.dial(ctx, a, local)
	})
	if err != nil {
		return nil, nil, err
	}
	l.track(t)
	p := factory()
	if cfg.tls != nil {
		host, _, _ := net.SplitHostPort(addr)
		t2, err := startTLS(ctx, t, p, cfg.tls, host, cfg.tlsOpts, true)
		if err != nil {
			return nil, nil, err
		}
		return t2, p, nil
	}
	// As in asyncio, ConnectionMade runs in a callback of its own, and
	// CreateConnection returns once it has.
	made := NewFuture[struct{}](ctx)
	t.SetProtocol(p)
	t.start(func() { made.TrySetResult(struct{}{}) })
	if _, err := made.Wait(ctx); err != nil {
		t.Abort()
		return nil, nil, err
	}
	return t, p, nil
}

// discard aborts a transport that never got a protocol.
func discard(t transport) {
	t.SetProtocol(BaseProtocol{})
	t.Abort()
}

// dial connects to a on the loop's backend, from local if it is not nil.
func (l *Loop) dial(ctx context.Context, a, local net.Addr) (transport, error) {
	if l.portable() {
		return dialPortable(ctx, l, a, local)
	}
	return dialFD(ctx, l, a, local)
}

// happyEyeballs runs dial for each of addrs, starting the next attempt
// when the last has run for delay or has failed, and returns the first
// that connects. The others are cancelled; one that connects anyway is
// aborted.
func happyEyeballs(ctx context.Context, addrs []net.Addr, delay time.Duration, dial func(context.Context, net.Addr) (transport, error)) (transport, error) {
	if len(addrs) == 1 {
		return dial(ctx, addrs[0])
	}
	var (
		won     transport
		errs    = make([]error, len(addrs))
		running int
		changed = NewEvent()
		tasks   []*Task[struct{}]
	)
	defer func() {
		for _, t := range tasks {
			t.Cancel()
		}
	}()
	for next := 0; won == nil; {
		if next < len(addrs) {
			a, i := addrs[next], next
			next++
			running++
			tasks = append(tasks, Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				t, err := dial(ctx, a)
				running--
				switch {
				case err != nil:
					errs[i] = err
				case won != nil:
					discard(t)
				default:
					won = t
				}
				changed.Set()
				return struct{}{}, nil
			}, Name("happy eyeballs "+a.String())))
		} else if running == 0 {
			break
		}
		changed.Clear()
		var err error
		if next < len(addrs) && delay >= 0 {
			err = Timeout(ctx, delay, changed.Wait)
			if errors.Is(err, ErrTimeout) {
				continue // the next address joins in
			}
		} else {
			err = changed.Wait(ctx)
		}
		if err != nil {
			return nil, err
		}
	}
	if won != nil {
		return won, nil
	}
	return nil, errors.Join(errs...)
}

// interleave orders addrs so that the address families alternate, first
// taking n of the family of the first address (RFC 8305, section 4).
func interleave(addrs []net.Addr, n int) []net.Addr {
	if n < 1 {
		n = 1
	}
	var first, second []net.Addr
	for _, a := range addrs {
		if family(a) == family(addrs[0]) {
			first = append(first, a)
		} else {
			second = append(second, a)
		}
	}
	out := make([]net.Addr, 0, len(addrs))
	for len(first) > 0 || len(second) > 0 {
		k := min(n, len(first))
		out = append(out, first[:k]...)
		first, n = first[k:], 1
		if len(second) > 0 {
			out = append(out, second[0])
			second = second[1:]
		}
	}
	return out
}

func family(a net.Addr) int {
	if ta, ok := a.(*net.TCPAddr); ok && ta.IP.To4() == nil {
		return 6
	}
	return 4
}

// dialAddrs resolves the addresses to connect to.
func dialAddrs(ctx context.Context, network, addr string) ([]net.Addr, error) {
	return resolveAddrs(ctx, network, addr, false, nil)
}

// listenAddrs resolves the addresses to listen on: addr's host, or each
// of hosts on addr's port.
func listenAddrs(ctx context.Context, network, addr string, hosts []string) ([]net.Addr, error) {
	if len(hosts) == 0 || network == "unix" {
		return resolveAddrs(ctx, network, addr, true, nil)
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	var out []net.Addr
	for _, h := range hosts {
		as, err := resolveAddrs(ctx, network, net.JoinHostPort(h, port), true, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, as...)
	}
	return out, nil
}

// resolveAddrs turns addr into socket addresses, resolving its host off the
// loop, or with resolve if it is not nil. An empty host means every
// interface for a listener (both families, as asyncio binds) and the
// loopback for a dialer.
func resolveAddrs(ctx context.Context, network, addr string, listen bool, resolve func(context.Context, string) ([]net.IPAddr, error)) ([]net.Addr, error) {
	switch network {
	case "unix":
		if addr == "" {
			return nil, errors.New("asyncio: empty Unix socket path")
		}
		return []net.Addr{&net.UnixAddr{Name: addr, Net: "unix"}}, nil
	case "tcp", "tcp4", "tcp6", "udp", "udp4", "udp6":
	default:
		return nil, fmt.Errorf("asyncio: unsupported network %q", network)
	}
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, fmt.Errorf("asyncio: invalid port in %q", addr)
	}
	var ips []net.IPAddr
	switch {
	case host == "" && listen:
		ips = []net.IPAddr{{IP: net.IPv4zero}, {IP: net.IPv6unspecified}}
	case host == "":
		ips = []net.IPAddr{{IP: net.IPv4(127, 0, 0, 1)}}
	case net.ParseIP(host) != nil:
		ips = []net.IPAddr{{IP: net.ParseIP(host)}}
	case resolve != nil:
		if ips, err = resolve(ctx, host); err != nil {
			return nil, err
		}
	default:
		ips, err = ToThread(ctx, func() ([]net.IPAddr, error) {
			return net.DefaultResolver.LookupIPAddr(context.WithoutCancel(ctx), host)
		})
		if err != nil {
			return nil, err
		}
	}
	var out []net.Addr
	for _, ip := range ips {
		is4 := ip.IP.To4() != nil
		if strings.HasSuffix(network, "4") && !is4 || strings.HasSuffix(network, "6") && is4 {
			continue
		}
		out = append(out, &net.TCPAddr{IP: ip.IP, Port: port, Zone: ip.Zone})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("asyncio: no %s address for %q", network, addr)
	}
	return out, nil
}
