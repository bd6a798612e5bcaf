//go:build unix

package asyncio_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestServerEcho(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		addr := srv.Addrs()[0].(*net.TCPAddr)
		if addr.Port == 0 {
			t.Fatal("no port picked")
		}
		var clients []*recorder
		for range 3 {
			tr, p, err := asyncio.CreateConnection(ctx, "tcp", addr.String(), func() asyncio.Protocol { return newRecorder(ctx) })
			if err != nil {
				return err
			}
			rec := p.(*recorder)
			clients = append(clients, rec)
			tr.Write([]byte("ping"))
		}
		for _, c := range clients {
			if err := c.waitData(ctx, 4); err != nil {
				return err
			}
			if string(c.data) != "ping" {
				t.Errorf("client got %q", c.data)
			}
			if c.t.RemoteAddr().String() != addr.String() {
				t.Errorf("client's peer %v, want %v", c.t.RemoteAddr(), addr)
			}
		}
		srv.Close()
		if srv.IsServing() {
			t.Error("closed server still serving")
		}
		// Connections accepted before Close go on: WaitClosed waits for
		// them; CloseClients ends them.
		srv.CloseClients()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		for _, c := range clients {
			if _, err := c.lost.Wait(ctx); err != nil {
				t.Errorf("client lost its connection with %v", err)
			}
		}
		// Nobody listens any more.
		if _, _, err := asyncio.CreateConnection(ctx, "tcp", addr.String(), func() asyncio.Protocol { return newRecorder(ctx) }); err == nil {
			t.Error("connected to a closed server")
		}
		return nil
	})
}

func TestCreateConnectionResolvesNames(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp4", "localhost:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		port := srv.Addrs()[0].(*net.TCPAddr).Port
		tr, _, err := asyncio.CreateConnection(ctx, "tcp4", net.JoinHostPort("localhost", itoa(port)), func() asyncio.Protocol { return newRecorder(ctx) })
		if err != nil {
			return err
		}
		tr.Abort()
		return nil
	})
}

// A loop closed with a server listening and connections open closes them
// all: the protocols hear of it, and no descriptor is left open.
func TestLoopCloseClosesSockets(t *testing.T) {
	// The runtime's own poller descriptor, made on first use of the net
	// package, is not ours to count.
	if ln, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
	}
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			before := openFDs(t)
			var rec *recorder
			r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b))
			err := r.Run(func(ctx context.Context) error {
				srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
				if err != nil {
					return err
				}
				rec = newRecorder(ctx)
				if _, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return rec }); err != nil {
					return err
				}
				return asyncio.Sleep(ctx, 0) // the connection is made; main returns with it open
			})
			if err != nil {
				t.Fatal(err)
			}
			r.Close()
			if err, _ := rec.lost.Result(); !errors.Is(err, asyncio.ErrLoopClosed) {
				t.Errorf("the client's protocol heard %v, want ErrLoopClosed", err)
			}
			if after := openFDs(t); after > before {
				t.Fatalf("%d descriptors open before, %d after the loop closed", before, after)
			}
		})
	}
}

// Two servers share a port with ReusePort; without it the second
// cannot bind.
func TestServerReusePort(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		factory := func() asyncio.Protocol { return &echo{} }
		a, err := asyncio.CreateServer(ctx, "tcp4", "127.0.0.1:0", factory, asyncio.ReusePort())
		if err != nil {
			return err
		}
		defer a.Close()
		addr := a.Addrs()[0].String()
		b, err := asyncio.CreateServer(ctx, "tcp4", addr, factory, asyncio.ReusePort())
		if err != nil {
			t.Fatalf("second server on %s with ReusePort: %v", addr, err)
		}
		b.Close()
		if c, err := asyncio.CreateServer(ctx, "tcp4", addr, factory); err == nil {
			c.Close()
			t.Error("a server without ReusePort bound a port in use")
		}
		return nil
	})
}

// occupy listens on a, as another program might, and closes the listener
// when the test ends. If a program already holds a (a test of another
// package, say, listening on every interface), a is taken as wanted.
func occupy(t *testing.T, a *net.TCPAddr) {
	ln, err := net.Listen("tcp4", a.String())
	if errors.Is(err, syscall.EADDRINUSE) {
		return
	}
	if err != nil {
		t.Errorf("occupy %v: %v", a, err)
		return
	}
	t.Cleanup(func() { ln.Close() })
}

// A server on several hosts with port 0 gives them all the port the first
// got; when another program holds that port on a later host, the server
// tries again on a new port instead of failing.
func TestServerPortZeroRetriesWhenTaken(t *testing.T) {
	second := net.IPv4(127, 0, 0, 2)
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var taken []int
		asyncio.SetListenHook(t, func(a net.Addr) {
			if ta := a.(*net.TCPAddr); ta.IP.Equal(second) && len(taken) < 2 {
				occupy(t, ta)
				taken = append(taken, ta.Port)
			}
		})
		srv, err := asyncio.CreateServer(ctx, "tcp4", ":0", func() asyncio.Protocol { return &echo{} },
			asyncio.Hosts("127.0.0.1", "127.0.0.2"))
		if err != nil {
			return err
		}
		defer srv.Close()
		addrs := srv.Addrs()
		if len(taken) != 2 || len(addrs) != 2 {
			t.Fatalf("ports taken %v, listening on %v: want two ports taken, then two addresses", taken, addrs)
		}
		a0, a1 := addrs[0].(*net.TCPAddr), addrs[1].(*net.TCPAddr)
		if a0.Port != a1.Port || slices.Contains(taken, a0.Port) {
			t.Errorf("listening on %v after ports %v were taken", addrs, taken)
		}
		return nil
	})
}

// When the port stays taken, the server gives up after a few tries, with
// the error of the last, and holds no socket.
func TestServerPortZeroGivesUp(t *testing.T) {
	second := net.IPv4(127, 0, 0, 2)
	runIO(t, func(t *testing.T, ctx context.Context) error {
		var ports []int
		asyncio.SetListenHook(t, func(a net.Addr) {
			if ta := a.(*net.TCPAddr); ta.IP.Equal(second) {
				occupy(t, ta)
				ports = append(ports, ta.Port)
			}
		})
		_, err := asyncio.CreateServer(ctx, "tcp4", ":0", func() asyncio.Protocol { return &echo{} },
			asyncio.Hosts("127.0.0.1", "127.0.0.2"))
		var oe *net.OpError
		if !errors.As(err, &oe) || !errors.Is(err, syscall.EADDRINUSE) || oe.Op != "listen" {
			t.Fatalf("CreateServer on a port always taken: %v, want a listen *net.OpError for EADDRINUSE", err)
		}
		if len(ports) < 2 || len(ports) > 100 {
			t.Errorf("%d tries", len(ports))
		}
		if strings.Count(err.Error(), "listen") != 1 {
			t.Errorf("error %q repeats itself", err)
		}
		for _, port := range ports { // the first host's sockets are closed
			ln, err := net.Listen("tcp4", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
			if err != nil {
				t.Errorf("port %d of the first host is still held: %v", port, err)
				continue
			}
			ln.Close()
		}
		return nil
	})
}

// readOp matches the description of a failed read: "read tcp", "read conn".
var readOp = regexp.MustCompile(`read (tcp|conn|unix)`)

// A connection reset by its peer is lost with one description of the
// failed read, not one wrapped in a copy of itself ("read tcp: read tcp
// ..."), with TLS or without.
func TestResetErrorIsWrappedOnce(t *testing.T) {
	for name, useTLS := range map[string]bool{"plain": false, "tls": true} {
		t.Run(name, func(t *testing.T) { testResetError(t, useTLS) })
	}
}

func testResetError(t *testing.T, useTLS bool) {
	serverCfg, clientCfg := testTLS()
	runIO(t, func(t *testing.T, ctx context.Context) error {
		ln, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		var opts []asyncio.ConnOption
		if useTLS {
			opts = append(opts, asyncio.TLS(clientCfg))
		}
		// The peer accepts (and shakes hands) off the loop.
		peer := asyncio.Spawn(ctx, func(ctx context.Context) (*net.TCPConn, error) {
			return asyncio.ToThread(ctx, func() (*net.TCPConn, error) {
				conn, err := ln.Accept()
				if err != nil {
					return nil, err
				}
				if useTLS {
					if err := tls.Server(conn, serverCfg).Handshake(); err != nil {
						conn.Close()
						return nil, err
					}
				}
				return conn.(*net.TCPConn), nil
			})
		})
		rec := newRecorder(ctx)
		if _, _, err := asyncio.CreateConnection(ctx, "tcp", ln.Addr().String(), func() asyncio.Protocol { return rec }, opts...); err != nil {
			return err
		}
		conn, err := peer.Wait(ctx)
		if err != nil {
			return err
		}
		conn.SetLinger(0)
		conn.Close() // a reset
		lost, _ := rec.lost.Wait(ctx)
		if !errors.Is(lost, syscall.ECONNRESET) {
			t.Fatalf("TLS %v: lost with %v, want ECONNRESET", useTLS, lost)
		}
		if n := len(readOp.FindAllString(lost.Error(), -1)); n != 1 {
			t.Errorf("TLS %v: lost with %q, which describes the read %d times", useTLS, lost, n)
		}
		return nil
	})
}
