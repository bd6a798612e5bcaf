//go:build unix

package asyncio_test

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// echo is a protocol that writes back what it reads.
type echo struct {
	asyncio.BaseProtocol
	t asyncio.Transport
}

func (e *echo) ConnectionMade(t asyncio.Transport) { e.t = t }
func (e *echo) DataReceived(p []byte)              { e.t.Write(p) }

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

func itoa(n int) string { return (&net.TCPAddr{Port: n}).String()[1:] }

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

func openFDs(t *testing.T) int {
	t.Helper()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd on this system")
	}
	return len(entries)
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
