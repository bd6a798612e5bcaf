//go:build unix

package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// dgramRecorder is a datagram protocol that records what its transport
// tells it, and echoes datagrams back if echo is set.
type dgramRecorder struct {
	t       asyncio.DatagramTransport
	echo    bool
	got     []string
	from    []net.Addr
	errs    []error
	events  []string
	lost    *asyncio.Future[error]
	arrived *asyncio.Event // set at each datagram or error
	onMade  func(t asyncio.DatagramTransport)
}

func newDgramRecorder(ctx context.Context) *dgramRecorder {
	return &dgramRecorder{lost: asyncio.NewFuture[error](ctx), arrived: asyncio.NewEvent()}
}

func (r *dgramRecorder) ConnectionMade(t asyncio.DatagramTransport) {
	r.t = t
	r.events = append(r.events, "made")
	if r.onMade != nil {
		r.onMade(t)
	}
}

func (r *dgramRecorder) DatagramReceived(p []byte, addr net.Addr) {
	r.got = append(r.got, string(p))
	r.from = append(r.from, addr)
	if r.echo {
		r.t.SendTo(p, addr)
	}
	r.arrived.Set()
}

func (r *dgramRecorder) ErrorReceived(err error) {
	r.errs = append(r.errs, err)
	r.events = append(r.events, "error")
	r.arrived.Set()
}

func (r *dgramRecorder) ConnectionLost(err error) {
	r.events = append(r.events, "lost")
	r.lost.SetResult(err)
}

func (r *dgramRecorder) PauseWriting()  { r.events = append(r.events, "pause") }
func (r *dgramRecorder) ResumeWriting() { r.events = append(r.events, "resume") }

// waitFor waits until cond holds, checking it each time something
// arrives, for at most 10 seconds.
func (r *dgramRecorder) waitFor(ctx context.Context, cond func() bool) error {
	return asyncio.Timeout(ctx, 10*time.Second, func(ctx context.Context) error {
		for !cond() {
			r.arrived.Clear()
			if err := r.arrived.Wait(ctx); err != nil {
				return err
			}
		}
		return nil
	})
}

// closed waits for ConnectionLost, which must get nil, and checks the
// events the protocol heard, if events is not empty.
func (r *dgramRecorder) closed(ctx context.Context, t *testing.T, events string) {
	t.Helper()
	if err, werr := r.lost.Wait(ctx); err != nil || werr != nil {
		t.Errorf("ConnectionLost(%v) (wait: %v), want nil", err, werr)
	}
	if got := fmt.Sprint(r.events); events != "" && got != events {
		t.Errorf("events %s, want %s", got, events)
	}
}

// endpoint makes a datagram endpoint with a new recorder.
func endpoint(ctx context.Context, t *testing.T, network, local, remote string, opts ...asyncio.DatagramOption) *dgramRecorder {
	t.Helper()
	r := newDgramRecorder(ctx)
	tr, p, err := asyncio.CreateDatagramEndpoint(ctx, network, local, remote, func() asyncio.DatagramProtocol { return r }, opts...)
	if err != nil {
		t.Fatalf("CreateDatagramEndpoint(%q, %q, %q): %v", network, local, remote, err)
	}
	if p != r || r.t != tr {
		t.Fatal("CreateDatagramEndpoint returned before ConnectionMade, or another protocol")
	}
	return r
}

// An echo server and a connected client: datagrams (an empty one too) go
// both ways, each with its sender's address, and both ends close cleanly.
func TestDatagramEcho(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv := endpoint(ctx, t, "udp", "127.0.0.1:0", "")
		srv.echo = true
		srvAddr := srv.t.LocalAddr().(*net.UDPAddr)
		if srvAddr.Port == 0 || srv.t.RemoteAddr() != nil {
			t.Fatalf("server's addresses: local %v, remote %v", srvAddr, srv.t.RemoteAddr())
		}
		cli := endpoint(ctx, t, "udp", "", srvAddr.String())
		if got := cli.t.RemoteAddr(); got.String() != srvAddr.String() {
			t.Errorf("client's remote address %v, want %v", got, srvAddr)
		}
		msgs := []string{"ping", "", "pong"}
		for _, m := range msgs {
			if err := cli.t.SendTo([]byte(m), nil); err != nil {
				return err
			}
			if err := cli.waitFor(ctx, func() bool { return len(cli.got) == len(srv.got) && len(srv.got) > 0 && cli.got[len(cli.got)-1] == m }); err != nil {
				return fmt.Errorf("echo of %q: %w (client got %q)", m, err, cli.got)
			}
		}
		if fmt.Sprint(srv.got) != fmt.Sprint(msgs) || fmt.Sprint(cli.got) != fmt.Sprint(msgs) {
			t.Errorf("server got %q, client got %q, want %q", srv.got, cli.got, msgs)
		}
		for _, a := range srv.from {
			if a.String() != cli.t.LocalAddr().String() {
				t.Errorf("server saw a datagram from %v, want the client's %v", a, cli.t.LocalAddr())
			}
		}
		for _, a := range cli.from {
			if a.String() != srvAddr.String() {
				t.Errorf("client saw a datagram from %v, want %v", a, srvAddr)
			}
		}
		cli.t.Close()
		srv.t.Close()
		for _, r := range []*dgramRecorder{cli, srv} {
			r.closed(ctx, t, "[made lost]")
			if len(r.errs) > 0 {
				t.Errorf("errors received: %v", r.errs)
			}
		}
		return nil
	})
}

// SendTo follows asyncio's rules for the address: a connected endpoint
// takes nil or its remote address only, an unconnected one needs one.
func TestDatagramSendToAddress(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv := endpoint(ctx, t, "udp4", "127.0.0.1:0", "")
		defer srv.t.Close()
		srvAddr := srv.t.LocalAddr().(*net.UDPAddr)
		if err := srv.t.SendTo([]byte("x"), nil); !errors.Is(err, asyncio.ErrDatagramAddr) {
			t.Errorf("unconnected SendTo with no address: %v, want ErrDatagramAddr", err)
		}
		if err := srv.t.SendTo([]byte("x"), &net.UnixAddr{Name: "/nowhere", Net: "unixgram"}); !errors.Is(err, asyncio.ErrDatagramAddr) {
			t.Errorf("SendTo with a Unix address on udp: %v, want ErrDatagramAddr", err)
		}
		cli := endpoint(ctx, t, "udp4", "", srvAddr.String())
		defer cli.t.Close()
		other := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: srvAddr.Port + 1}
		if err := cli.t.SendTo([]byte("x"), other); !errors.Is(err, asyncio.ErrDatagramAddr) {
			t.Errorf("connected SendTo to another address: %v, want ErrDatagramAddr", err)
		}
		// The remote address itself is fine, in any form.
		same := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: srvAddr.Port}
		if err := cli.t.SendTo([]byte("to the remote"), same); err != nil {
			t.Errorf("connected SendTo to its remote address: %v", err)
		}
		if err := srv.waitFor(ctx, func() bool { return len(srv.got) == 1 }); err != nil {
			return err
		}
		if srv.got[0] != "to the remote" {
			t.Errorf("server got %q", srv.got)
		}
		return nil
	})
}

// freeUDPPort returns a port nothing listens on: one the system just
// handed out and took back.
func freeUDPPort(t *testing.T) int {
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// A connected endpoint that sends where nobody listens hears of the ICMP
// port unreachable as ECONNREFUSED through ErrorReceived, and stays open.
func TestDatagramErrorReceivedConnRefused(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		port := freeUDPPort(t)
		cli := endpoint(ctx, t, "udp4", "", fmt.Sprintf("127.0.0.1:%d", port))
		// The error comes back for a later send or receive: keep sending
		// until it does.
		err := cli.waitFor(ctx, func() bool {
			if len(cli.errs) > 0 {
				return true
			}
			cli.t.SendTo([]byte("anyone?"), nil)
			return false
		})
		if err != nil {
			return fmt.Errorf("no ErrorReceived: %w", err)
		}
		if !errors.Is(cli.errs[0], syscall.ECONNREFUSED) {
			t.Errorf("ErrorReceived(%v), want ECONNREFUSED", cli.errs[0])
		}
		if cli.t.IsClosing() || cli.lost.Done() {
			t.Error("the endpoint closed after an error of the network")
		}
		cli.t.Close()
		cli.closed(ctx, t, "")
		return nil
	})
}

// Close: IsClosing at once, ConnectionLost(nil) exactly once and in a
// later iteration; SendTo fails from then on; Close and Abort again do
// nothing.
func TestDatagramClose(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r := endpoint(ctx, t, "udp4", "127.0.0.1:0", "")
		addr := r.t.LocalAddr()
		r.t.Close()
		if !r.t.IsClosing() || r.t.IsReading() {
			t.Error("closing endpoint: IsClosing false or IsReading true")
		}
		if r.lost.Done() {
			t.Error("ConnectionLost ran inside Close; asyncio schedules it")
		}
		if err := r.t.SendTo([]byte("late"), addr); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("SendTo after Close: %v, want ErrTransportClosing", err)
		}
		r.t.Close()
		r.t.Abort()
		r.closed(ctx, t, "[made lost]")
		r.t.Abort()
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return err
		}
		if got := fmt.Sprint(r.events); got != "[made lost]" {
			t.Errorf("events %s after Abort, want [made lost]", got)
		}
		// The port is free again.
		c, err := net.ListenPacket("udp4", addr.String())
		if err != nil {
			t.Errorf("the closed endpoint's port is still taken: %v", err)
		} else {
			c.Close()
		}
		return nil
	})
}

// A protocol that closes its endpoint from ConnectionMade: no reading
// starts, and ConnectionLost follows.
func TestDatagramCloseInConnectionMade(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		p := newDgramRecorder(ctx)
		p.onMade = func(t asyncio.DatagramTransport) { t.Close() }
		tr, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return p })
		if err != nil {
			return err
		}
		if !tr.IsClosing() {
			t.Error("not closing")
		}
		p.closed(ctx, t, "[made lost]")
		return nil
	})
}

// A loop closed with endpoints open closes them: their protocols hear
// ErrLoopClosed, and no descriptor or goroutine is left.
func TestDatagramLoopClose(t *testing.T) {
	if c, err := net.ListenPacket("udp4", "127.0.0.1:0"); err == nil {
		c.Close() // the runtime's poller descriptor is not ours to count
	}
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			before := openFDs(t)
			var srv, cli *dgramRecorder
			r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b))
			err := r.Run(func(ctx context.Context) error {
				srv = endpoint(ctx, t, "udp4", "127.0.0.1:0", "")
				cli = endpoint(ctx, t, "udp4", "", srv.t.LocalAddr().String())
				// Something in flight both ways, and a reader waiting.
				cli.t.SendTo([]byte("hello"), nil)
				return srv.waitFor(ctx, func() bool { return len(srv.got) == 1 })
			})
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			for _, rec := range []*dgramRecorder{srv, cli} {
				if err, _ := rec.lost.Result(); !errors.Is(err, asyncio.ErrLoopClosed) {
					t.Errorf("protocol heard %v, want ErrLoopClosed", err)
				}
			}
			if after := openFDs(t); after > before {
				t.Fatalf("%d descriptors open before, %d after the loop closed", before, after)
			}
		})
	}
}

// Without AllowBroadcast a send to a broadcast address is refused
// (EACCES through ErrorReceived); with it, it goes out. Linux's loopback
// has the broadcast address 127.255.255.255.
func TestDatagramBroadcast(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		rcv := endpoint(ctx, t, "udp4", "0.0.0.0:0", "")
		defer rcv.t.Close()
		bcast := &net.UDPAddr{IP: net.IPv4(127, 255, 255, 255), Port: rcv.t.LocalAddr().(*net.UDPAddr).Port}

		plain := endpoint(ctx, t, "udp4", "127.0.0.1:0", "")
		defer plain.t.Close()
		plain.t.SendTo([]byte("refused"), bcast)
		if err := plain.waitFor(ctx, func() bool { return len(plain.errs) > 0 }); err != nil {
			return err
		}
		if !errors.Is(plain.errs[0], syscall.EACCES) {
			t.Errorf("broadcast without AllowBroadcast: %v, want EACCES", plain.errs[0])
		}

		// With the option and a remote address, the endpoint is not
		// connected: SendTo(p, nil) goes to the remote address.
		caster := endpoint(ctx, t, "udp4", "", bcast.String(), asyncio.AllowBroadcast())
		defer caster.t.Close()
		if got := caster.t.RemoteAddr(); got.String() != bcast.String() {
			t.Errorf("RemoteAddr %v, want %v", got, bcast)
		}
		caster.t.SendTo([]byte("to all"), nil)
		if err := rcv.waitFor(ctx, func() bool { return len(rcv.got) > 0 || len(caster.errs) > 0 }); err != nil {
			return err
		}
		if len(caster.errs) > 0 {
			t.Skipf("this system refuses loopback broadcast: %v", caster.errs[0])
		}
		if rcv.got[0] != "to all" {
			t.Errorf("received %q", rcv.got)
		}
		return nil
	})
}

// Two endpoints bind one address with ReusePort; without it
// the second cannot.
func TestDatagramReusePort(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a := endpoint(ctx, t, "udp4", "127.0.0.1:0", "", asyncio.ReusePort())
		defer a.t.Close()
		addr := a.t.LocalAddr().String()
		b := endpoint(ctx, t, "udp4", addr, "", asyncio.ReusePort())
		b.t.Close()
		factory := func() asyncio.DatagramProtocol { return newDgramRecorder(ctx) }
		if tr, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", addr, "", factory); err == nil {
			tr.Close()
			t.Error("an endpoint without ReusePort bound an address in use")
		}
		return nil
	})
}

// stalledPair makes a Unix datagram receiver that does not read and a
// sender connected to it, and sends 100-byte datagrams (header counted),
// numbered, until the sender's protocol is paused at the high mark of
// 1000. It returns the number sent.
func stalledPair(ctx context.Context, t *testing.T) (rcv, snd *dgramRecorder, n int) {
	t.Helper()
	dir := t.TempDir()
	rcv = endpoint(ctx, t, "unixgram", filepath.Join(dir, "rcv"), "")
	rcv.t.PauseReading()
	if rcv.t.IsReading() {
		t.Error("IsReading after PauseReading")
	}
	snd = endpoint(ctx, t, "unixgram", filepath.Join(dir, "snd"), filepath.Join(dir, "rcv"))
	if err := snd.t.SetWriteBufferLimits(1000, 200); err != nil {
		t.Fatal(err)
	}
	if high, low := snd.t.WriteBufferLimits(); high != 1000 || low != 200 {
		t.Errorf("WriteBufferLimits = %d, %d after SetWriteBufferLimits(1000, 200)", high, low)
	}
	payload := make([]byte, 100-asyncio.DatagramHeaderSize)
	for !contains(snd.events, "pause") {
		if n == 10000 {
			t.Fatal("the sender was never paused")
		}
		payload[0] = byte(n)
		if err := snd.t.SendTo(payload, nil); err != nil {
			t.Fatal(err)
		}
		n++
		if size := snd.t.WriteBufferSize(); size%100 != 0 {
			t.Fatalf("buffer size %d: datagrams are not counted with their header", size)
		}
	}
	if size := snd.t.WriteBufferSize(); size <= 1000 {
		t.Errorf("paused with %d bytes buffered, want more than the high mark", size)
	}
	return rcv, snd, n
}

// The send buffer: a receiver that does not read fills its socket, the
// sender's datagrams wait in its buffer (each counted with its header),
// the protocol is paused past the high mark and resumed once the receiver
// reads, and every datagram arrives, in order (Unix datagram sockets lose
// none).
func TestDatagramFlowControl(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		rcv, snd, n := stalledPair(ctx, t)
		defer rcv.t.Close()
		rcv.t.ResumeReading()
		if err := rcv.waitFor(ctx, func() bool { return len(rcv.got) == n }); err != nil {
			return fmt.Errorf("received %d of %d: %w", len(rcv.got), n, err)
		}
		for i, g := range rcv.got {
			if g[0] != byte(i) {
				t.Fatalf("datagram %d arrived as number %d", i, g[0])
			}
		}
		// Close sends what is buffered first.
		snd.t.Close()
		snd.closed(ctx, t, "[made pause resume lost]")
		if size := snd.t.WriteBufferSize(); size != 0 {
			t.Errorf("%d bytes left in the buffer after Close", size)
		}
		return nil
	})
}

// Abort drops the buffer: ConnectionLost(nil) comes at once, with no
// ResumeWriting, and SendTo fails from then on.
func TestDatagramAbortDropsBuffer(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		rcv, snd, _ := stalledPair(ctx, t)
		defer rcv.t.Close()
		snd.t.Abort()
		if size := snd.t.WriteBufferSize(); size != 0 {
			t.Errorf("%d bytes buffered after Abort", size)
		}
		if err := snd.t.SendTo([]byte("late"), nil); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("SendTo after Abort: %v", err)
		}
		snd.closed(ctx, t, "[made pause lost]")
		return nil
	})
}

// Unix datagram sockets: a stale socket file is replaced, datagrams carry
// the sender's path, and an unnamed sender's address is nil.
func TestDatagramUnixgram(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		dir := t.TempDir()
		path := filepath.Join(dir, "srv")
		first := endpoint(ctx, t, "unixgram", path, "")
		first.t.Close()
		if _, err := first.lost.Wait(ctx); err != nil {
			return err
		}
		if _, err := os.Stat(path); err != nil {
			t.Fatalf("the socket file should outlive its endpoint, as in asyncio: %v", err)
		}
		srv := endpoint(ctx, t, "unixgram", path, "") // over the stale file
		srv.echo = true
		defer srv.t.Close()
		cli := endpoint(ctx, t, "unixgram", filepath.Join(dir, "cli"), path)
		defer cli.t.Close()
		cli.t.SendTo([]byte("hi"), nil)
		if err := cli.waitFor(ctx, func() bool { return len(cli.got) == 1 }); err != nil {
			return err
		}
		if got := srv.from[0].(*net.UnixAddr).Name; got != filepath.Join(dir, "cli") {
			t.Errorf("server saw the sender as %q", got)
		}
		if got := cli.from[0].(*net.UnixAddr).Name; got != path {
			t.Errorf("client saw the echo from %q", got)
		}
		if asyncio.RunningLoop(ctx).IOBackend() == asyncio.BackendPoller {
			// The net package cannot make an unbound Unix socket.
			anon := endpoint(ctx, t, "unixgram", "", path)
			defer anon.t.Close()
			anon.t.SendTo([]byte("who?"), nil)
			if err := srv.waitFor(ctx, func() bool { return len(srv.got) == 2 }); err != nil {
				return err
			}
			if srv.from[1] != nil {
				t.Errorf("an unnamed sender's address is %v, want nil", srv.from[1])
			}
		}
		return nil
	})
}

// Pausing reading, from ConnectionMade or later, holds the datagrams back
// until ResumeReading; the protocol can be swapped with SetProtocol.
func TestDatagramPauseReadingAndSetProtocol(t *testing.T) {
	for _, early := range []bool{true, false} {
		t.Run(fmt.Sprintf("inConnectionMade=%v", early), func(t *testing.T) {
			runIO(t, func(t *testing.T, ctx context.Context) error {
				old := newDgramRecorder(ctx)
				if early {
					old.onMade = asyncio.DatagramTransport.PauseReading
				}
				tr, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return old })
				if err != nil {
					return err
				}
				defer tr.Close()
				tr.PauseReading() // a second time, if early: no effect
				if tr.IsReading() {
					t.Error("IsReading after PauseReading")
				}
				cli := endpoint(ctx, t, "udp4", "", tr.LocalAddr().String())
				defer cli.t.Close()
				for _, m := range []string{"a", "b", "c"} {
					cli.t.SendTo([]byte(m), nil)
				}
				// A datagram sent after those, to another endpoint,
				// arrives: the loop has run meanwhile, and the paused
				// endpoint has delivered nothing.
				witness := endpoint(ctx, t, "udp4", "127.0.0.1:0", "")
				defer witness.t.Close()
				cli2 := endpoint(ctx, t, "udp4", "", witness.t.LocalAddr().String())
				defer cli2.t.Close()
				cli2.t.SendTo([]byte("w"), nil)
				if err := witness.waitFor(ctx, func() bool { return len(witness.got) == 1 }); err != nil {
					return err
				}
				if len(old.got) != 0 {
					t.Fatalf("a paused endpoint delivered %q", old.got)
				}
				next := newDgramRecorder(ctx)
				tr.SetProtocol(next)
				if tr.Protocol() != next {
					t.Error("Protocol() is not the one set")
				}
				tr.ResumeReading()
				if err := next.waitFor(ctx, func() bool { return len(next.got) == 3 }); err != nil {
					return err
				}
				if fmt.Sprint(next.got) != "[a b c]" || len(old.got) != 0 {
					t.Errorf("new protocol got %q, old %q", next.got, old.got)
				}
				if len(next.events) != 0 {
					t.Errorf("the new protocol heard %v; SetProtocol makes no ConnectionMade", next.events)
				}
				return nil
			})
		})
	}
}

// Addresses CreateDatagramEndpoint refuses.
func TestDatagramEndpointErrors(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		factory := func() asyncio.DatagramProtocol { return newDgramRecorder(ctx) }
		for _, c := range []struct{ network, local, remote string }{
			{"udp", "", ""},                      // no family
			{"tcp", "127.0.0.1:0", ""},           // not a datagram network
			{"udp", "127.0.0.1:0", "[::1]:9"},    // no common family
			{"udp4", "[::1]:0", ""},              // wrong family
			{"udp4", "127.0.0.1", ""},            // no port
			{"unixgram", "/nonexistent/x/y", ""}, // cannot bind
		} {
			if tr, _, err := asyncio.CreateDatagramEndpoint(ctx, c.network, c.local, c.remote, factory); err == nil {
				tr.Close()
				t.Errorf("CreateDatagramEndpoint(%q, %q, %q) succeeded", c.network, c.local, c.remote)
			}
		}
		// An unbound endpoint of a named family is fine.
		r := endpoint(ctx, t, "udp4", "", "")
		r.t.Close()
		if _, _, err := asyncio.CreateDatagramEndpoint(context.Background(), "udp4", "", "", factory); !errors.Is(err, asyncio.ErrNoTask) {
			t.Errorf("with no task: %v", err)
		}
		return nil
	})
}

// Host names resolve, and a local and a remote address pair by family.
func TestDatagramResolve(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv := endpoint(ctx, t, "udp4", "localhost:0", "")
		defer srv.t.Close()
		port := srv.t.LocalAddr().(*net.UDPAddr).Port
		// localhost may resolve to ::1 first: the local address leaves
		// IPv4 the only family both have.
		cli := endpoint(ctx, t, "udp", "127.0.0.1:0", fmt.Sprintf("localhost:%d", port))
		defer cli.t.Close()
		cli.t.SendTo([]byte("by name"), nil)
		if err := srv.waitFor(ctx, func() bool { return len(srv.got) == 1 }); err != nil {
			return err
		}
		if c, err := net.ListenPacket("udp6", "[::1]:0"); err == nil {
			c.Close()
			six := endpoint(ctx, t, "udp", "[::1]:0", "")
			if a := six.t.LocalAddr().(*net.UDPAddr); a.IP.To4() != nil {
				t.Errorf("IPv6 endpoint bound to %v", a)
			}
			six.t.Close()
		}
		return nil
	})
}

// SockRecvFrom and SockSendTo on raw non-blocking UDP sockets: a receive
// waits for the datagram, and reports its sender.
func TestSockRecvFromSendTo(t *testing.T) {
	open := func() (int, *net.UDPAddr) {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { unix.Close(fd) })
		if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
			t.Fatal(err)
		}
		asyncio.SetNonblock(fd)
		sa, _ := unix.Getsockname(fd)
		return fd, &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*unix.SockaddrInet4).Port}
	}
	a, aAddr := open()
	b, bAddr := open()
	asynciotest.Run(t, func(ctx context.Context) error {
		type got struct {
			n    int
			from net.Addr
		}
		buf := make([]byte, 100)
		recv := asyncio.Spawn(ctx, func(ctx context.Context) (got, error) {
			n, from, err := asyncio.SockRecvFrom(ctx, b, buf)
			return got{n, from}, err
		})
		asyncio.Sleep(ctx, 0) // the receiver waits
		if recv.Done() {
			t.Fatal("SockRecvFrom returned with nothing sent")
		}
		n, err := asyncio.SockSendTo(ctx, a, []byte("datagram"), bAddr)
		if err != nil || n != 8 {
			t.Fatalf("SockSendTo: %d, %v", n, err)
		}
		g, err := recv.Wait(ctx)
		if err != nil {
			return err
		}
		if string(buf[:g.n]) != "datagram" || g.from.String() != aAddr.String() {
			t.Errorf("received %q from %v, want %q from %v", buf[:g.n], g.from, "datagram", aAddr)
		}
		// Connected: nil sends to the peer.
		if err := unix.Connect(a, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: bAddr.Port}); err != nil {
			return err
		}
		if _, err := asyncio.SockSendTo(ctx, a, nil, nil); err != nil { // an empty datagram
			return err
		}
		n, from, err := asyncio.SockRecvFrom(ctx, b, buf)
		if err != nil || n != 0 || from.String() != aAddr.String() {
			t.Errorf("empty datagram: %d from %v, %v", n, from, err)
		}
		if _, _, err := asyncio.SockRecvFrom(context.Background(), b, buf); !errors.Is(err, asyncio.ErrNoTask) {
			t.Errorf("SockRecvFrom with no task: %v", err)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// A task cancelled while CreateDatagramEndpoint waits for ConnectionMade
// gets its cancellation, and the endpoint is closed: the protocol hears
// ConnectionMade, then ConnectionLost, as in asyncio.
func TestDatagramEndpointCancelled(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r := newDgramRecorder(ctx)
		task := asyncio.Spawn(ctx, func(ctx context.Context) (asyncio.DatagramTransport, error) {
			tr, _, err := asyncio.CreateDatagramEndpoint(ctx, "udp4", "127.0.0.1:0", "", func() asyncio.DatagramProtocol { return r })
			return tr, err
		})
		asyncio.Sleep(ctx, 0) // the task waits for ConnectionMade
		task.Cancel()
		if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Fatalf("CreateDatagramEndpoint in a cancelled task: %v", err)
		}
		r.closed(ctx, t, "[made lost]")
		return nil
	})
}
