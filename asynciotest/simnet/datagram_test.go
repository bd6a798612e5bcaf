package simnet_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// datagrams records what a datagram endpoint delivers.
type datagrams struct {
	tr       asyncio.DatagramTransport
	got      []string
	from     []net.Addr
	errs     []error
	lost     int
	changed  *asyncio.Event
	echoBack bool // send each datagram back where it came from
}

func newDatagrams() *datagrams { return &datagrams{changed: asyncio.NewEvent()} }

func (d *datagrams) notify() { ev := d.changed; d.changed = asyncio.NewEvent(); ev.Set() }

func (d *datagrams) ConnectionMade(t asyncio.DatagramTransport) { d.tr = t }
func (d *datagrams) DatagramReceived(p []byte, addr net.Addr) {
	d.got = append(d.got, string(p))
	d.from = append(d.from, addr)
	if d.echoBack {
		d.tr.SendTo(p, addr)
	}
	d.notify()
}
func (d *datagrams) ErrorReceived(err error) { d.errs = append(d.errs, err); d.notify() }
func (d *datagrams) ConnectionLost(error)    { d.lost++; d.notify() }

// await waits until cond holds.
func (d *datagrams) await(ctx context.Context, cond func() bool) error {
	for !cond() {
		if err := d.changed.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// endpoint opens a datagram endpoint on h.
func endpoint(t *testing.T, ctx context.Context, h *simnet.Host, local, remote string) (asyncio.DatagramTransport, *datagrams) {
	t.Helper()
	d := newDatagrams()
	tr, _, err := h.CreateDatagramEndpoint(ctx, local, remote, func() asyncio.DatagramProtocol { return d })
	if err != nil {
		t.Fatal(err)
	}
	return tr, d
}

// pingAll sends 100 numbered datagrams from a client to an echoing server
// over link, waits a minute, and returns what came back, in the order it
// came.
func pingAll(t *testing.T, seed uint64, link simnet.Link) []string {
	var back []string
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, seed, link)
		srv, s := endpoint(t, ctx, n.Host("server"), ":53", "")
		s.echoBack = true
		cli, c := endpoint(t, ctx, n.Host("client"), "", "server:53")
		for i := range 100 {
			if err := cli.SendTo([]byte(fmt.Sprint(i)), nil); err != nil {
				return err
			}
		}
		if err := asyncio.Sleep(ctx, time.Minute); err != nil {
			return err
		}
		back = c.got
		for _, from := range c.from {
			if from.String() != "server:53" {
				t.Errorf("a datagram came from %v", from)
			}
		}
		cli.Close()
		srv.Close()
		return asyncio.Sleep(ctx, 0)
	})
	return back
}

// Datagrams see loss as loss and jitter as reordering; the same seed
// gives the same result, another seed another.
func TestDatagramLossAndReordering(t *testing.T) {
	link := simnet.Link{Latency: 10 * time.Millisecond, Jitter: 20 * time.Millisecond, Loss: 0.2}
	first, again, other := pingAll(t, 1, link), pingAll(t, 1, link), pingAll(t, 2, link)
	// Each way loses a fifth: about 64 of 100 come back.
	if len(first) < 45 || len(first) > 85 {
		t.Errorf("%d of 100 datagrams came back over a link losing a fifth each way", len(first))
	}
	if slices.IsSortedFunc(first, func(a, b string) int { return atoi(a) - atoi(b) }) {
		t.Errorf("with 20ms of jitter the datagrams came back in order: %v", first)
	}
	if !slices.Equal(first, again) {
		t.Errorf("seed 1 gave %v, then %v", first, again)
	}
	if slices.Equal(first, other) {
		t.Errorf("seeds 1 and 2 gave the same datagrams back: %v", first)
	}
	if perfect := pingAll(t, 1, simnet.Link{Latency: time.Millisecond}); len(perfect) != 100 {
		t.Errorf("a perfect link brought %d of 100 back", len(perfect))
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// A datagram to a port nobody listens on is answered with an error that
// a connected endpoint hears as ECONNREFUSED.
func TestDatagramUnreachable(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 5 * time.Millisecond})
		n.Host("server")
		cli, c := endpoint(t, ctx, n.Host("client"), "", "server:9999")
		cli.SendTo([]byte("hello?"), nil)
		if err := c.await(ctx, func() bool { return len(c.errs) > 0 }); err != nil {
			return err
		}
		if !errors.Is(c.errs[0], syscall.ECONNREFUSED) {
			t.Errorf("ErrorReceived(%v), want ECONNREFUSED", c.errs[0])
		}
		if cli.IsClosing() {
			t.Errorf("the error closed the endpoint")
		}
		cli.Close()
		return c.await(ctx, func() bool { return c.lost > 0 })
	})
}

// SendTo checks its address as the loop's endpoints do, and fails once
// the endpoint is closing; ConnectionLost comes once.
func TestDatagramSendToErrors(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{})
		n.Host("server")
		unconnected, u := endpoint(t, ctx, n.Host("client"), ":1000", "")
		if err := unconnected.SendTo([]byte("x"), nil); !errors.Is(err, asyncio.ErrDatagramAddr) {
			t.Errorf("SendTo(nil) on an unconnected endpoint: %v", err)
		}
		connected, c := endpoint(t, ctx, n.Host("client"), "", "server:1")
		if err := connected.SendTo([]byte("x"), simnet.Addr{Host: "server", Port: 2}); !errors.Is(err, asyncio.ErrDatagramAddr) {
			t.Errorf("SendTo another address than the remote one: %v", err)
		}
		if got := connected.RemoteAddr(); got.String() != "server:1" {
			t.Errorf("RemoteAddr = %v", got)
		}
		if got := unconnected.LocalAddr(); got.String() != "client:1000" {
			t.Errorf("LocalAddr = %v", got)
		}
		if _, _, err := n.Host("client").CreateDatagramEndpoint(ctx, ":1000", "", nil); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a second endpoint on the port: %v", err)
		}
		unconnected.Close()
		connected.Abort()
		if err := connected.SendTo([]byte("x"), nil); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("SendTo after Abort: %v", err)
		}
		if err := u.await(ctx, func() bool { return u.lost > 0 }); err != nil {
			return err
		}
		if err := c.await(ctx, func() bool { return c.lost > 0 }); err != nil {
			return err
		}
		unconnected.Close()
		asyncio.Sleep(ctx, time.Second)
		if u.lost != 1 || c.lost != 1 {
			t.Errorf("ConnectionLost came %d and %d times", u.lost, c.lost)
		}
		return nil
	})
}

// What arrives while reading is paused waits, in order, until it resumes.
func TestDatagramPauseReading(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: time.Millisecond})
		srv, s := endpoint(t, ctx, n.Host("server"), ":5", "")
		cli, _ := endpoint(t, ctx, n.Host("client"), "", "server:5")
		srv.PauseReading()
		if srv.IsReading() {
			t.Errorf("IsReading after PauseReading")
		}
		for _, m := range []string{"a", "b", "c"} {
			cli.SendTo([]byte(m), nil)
		}
		asyncio.Sleep(ctx, time.Second)
		if len(s.got) != 0 {
			t.Fatalf("got %q while paused", s.got)
		}
		srv.ResumeReading()
		if err := s.await(ctx, func() bool { return len(s.got) == 3 }); err != nil {
			return err
		}
		if !slices.Equal(s.got, []string{"a", "b", "c"}) {
			t.Errorf("after resuming got %q", s.got)
		}
		cli.Close()
		srv.Close()
		return asyncio.Sleep(ctx, 0)
	})
}
