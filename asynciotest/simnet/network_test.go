package simnet_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/asynciotest/simnet"
)

// echo serves a line-echo on host's port 7 and returns the listener.
func echo(t *testing.T, ctx context.Context, h *simnet.Host) *simnet.Listener {
	t.Helper()
	ln, err := h.StartServer(ctx, ":7", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		for {
			line, err := r.ReadLine(ctx)
			if err != nil {
				return err // io.EOF once the client closes: no failure
			}
			if err := w.Write(line); err != nil {
				return err
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// network makes a network of seed with link l between every two hosts.
func network(t *testing.T, ctx context.Context, seed uint64, l simnet.Link) *simnet.Network {
	t.Helper()
	n, err := simnet.New(ctx, seed)
	if err != nil {
		t.Fatal(err)
	}
	n.SetDefaultLink(l)
	return n
}

// On a virtual clock latency is exact: a dial takes a round trip, and so
// does each request and its answer.
func TestLatencyIsExact(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 30 * time.Millisecond})
		ln := echo(t, ctx, n.Host("server"))
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		r, w, err := n.Host("client").OpenConnection(ctx, "server:7")
		if err != nil {
			return err
		}
		if d := loop.Time() - start; d != 60*time.Millisecond {
			t.Errorf("the dial took %v, want a round trip of 60ms", d)
		}
		if w.Transport().LocalAddr().String() != "client:49152" || w.Transport().RemoteAddr().String() != "server:7" {
			t.Errorf("addresses %v → %v", w.Transport().LocalAddr(), w.Transport().RemoteAddr())
		}
		for i := range 3 {
			start = loop.Time()
			w.Write([]byte("ping\n"))
			line, err := r.ReadLine(ctx)
			if err != nil || string(line) != "ping\n" {
				t.Fatalf("answer %q, %v", line, err)
			}
			if d := loop.Time() - start; d != 60*time.Millisecond {
				t.Errorf("request %d took %v, want 60ms", i, d)
			}
		}
		w.Close()
		ln.Close()
		return ln.WaitClosed(ctx) // the handler has returned
	})
}

// transfer sends size bytes from client to server over n, and returns
// how long, on the loop's clock, the server took to get them all.
func transfer(t *testing.T, ctx context.Context, n *simnet.Network, size int, during func()) time.Duration {
	t.Helper()
	got := asyncio.NewFuture[[]byte](ctx)
	ln, err := n.Host("server").StartServer(ctx, ":9", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		data, err := r.Read(ctx, -1)
		got.SetResult(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, w, err := n.Host("client").OpenConnection(ctx, "server:9")
	if err != nil {
		t.Fatal(err)
	}
	loop := asyncio.RunningLoop(ctx)
	start := loop.Time()
	sent := make([]byte, size)
	for i := range sent {
		sent[i] = byte(i % 253)
	}
	w.Write(sent)
	w.Close()
	if during != nil {
		during()
	}
	data, err := got.Wait(ctx)
	if err != nil || !bytes.Equal(data, sent) {
		t.Fatalf("the server got %d bytes, %v; want the %d sent", len(data), err, size)
	}
	return loop.Time() - start
}

// Loss on a connection is delay, not missing bytes; the same seed loses
// the same packets, so the delay is the same run after run.
func TestLossIsDelay(t *testing.T) {
	times := map[uint64]time.Duration{}
	for _, seed := range []uint64{1, 2, 1} {
		asynciotest.Run(t, func(ctx context.Context) error {
			n := network(t, ctx, seed, simnet.Link{Latency: 10 * time.Millisecond, Loss: 0.2})
			d := transfer(t, ctx, n, 1<<20, nil)
			if prev, ok := times[seed]; ok && prev != d {
				t.Errorf("seed %d: the transfer took %v, then %v", seed, prev, d)
			}
			times[seed] = d
			if s := n.Stats(); s.Lost == 0 || s.Lost*3 > s.Packets {
				t.Errorf("seed %d: %d of %d packets lost, want about a fifth", seed, s.Lost, s.Packets)
			}
			return nil
		})
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		lossless := transfer(t, ctx, network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond}), 1<<20, nil)
		for seed, d := range times {
			if d <= lossless {
				t.Errorf("seed %d: with loss the transfer took %v, without %v", seed, d, lossless)
			}
		}
		return nil
	})
	if times[1] == times[2] {
		t.Errorf("seeds 1 and 2 lost the same packets: both transfers took %v", times[1])
	}
}

// Bandwidth paces a transfer: a mebibyte at a mebibyte a second takes a
// second, and a little more for the headers and the latency.
func TestBandwidth(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: time.Millisecond, Bandwidth: 1 << 20})
		d := transfer(t, ctx, n, 1<<20, nil)
		if d < time.Second || d > 1100*time.Millisecond {
			t.Errorf("a mebibyte at a mebibyte a second took %v", d)
		}
		return nil
	})
}

// A partition stalls a transfer; once it heals the data goes through,
// all of it, within a retransmission timeout.
func TestPartitionStallsThenHeals(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond})
		loop := asyncio.RunningLoop(ctx)
		n.Partition("client", "server")
		// Not during the dial: open the connection, then cut.
		n.Heal("client", "server")
		d := transfer(t, ctx, n, 1<<20, func() {
			n.Partition("client", "server")
			loop.CallLater(10*time.Second, func() { n.Heal("client", "server") })
		})
		if d < 10*time.Second || d > 40*time.Second {
			t.Errorf("a transfer across a 10s partition took %v", d)
		}
		return nil
	})
}

// A partition longer than the user timeout ends the connection of the
// end that has data to send, with ETIMEDOUT; an idle end notices nothing.
func TestPartitionTimesOut(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond})
		n.SetUserTimeout(30 * time.Second)
		accepted := asyncio.NewFuture[*asyncio.StreamWriter](ctx)
		ln, err := n.Host("server").StartServer(ctx, ":9", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			accepted.SetResult(w)
			return w.WaitClosed(ctx)
		})
		if err != nil {
			return err
		}
		defer ln.Close()
		_, w, err := n.Host("client").OpenConnection(ctx, "server:9")
		if err != nil {
			return err
		}
		sw, err := accepted.Wait(ctx)
		if err != nil {
			return err
		}
		loop := asyncio.RunningLoop(ctx)
		n.Partition("client", "server")
		cut := loop.Time()
		w.Write([]byte("into the void"))
		err = w.WaitClosed(ctx)
		if !errors.Is(err, syscall.ETIMEDOUT) {
			t.Errorf("the writer's connection ended with %v, want ETIMEDOUT", err)
		}
		if d := loop.Time() - cut; d != 30*time.Second {
			t.Errorf("it ended %v after the partition, want the user timeout, 30s", d)
		}
		if sw.IsClosing() {
			t.Errorf("the idle end noticed the partition")
		}
		sw.Transport().Abort()
		return sw.WaitClosed(ctx)
	})
}

// The ways a dial fails: nothing listening, no such host, a partition
// (until the user timeout, or until ctx ends).
func TestDialFailures(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond})
		n.SetUserTimeout(time.Minute)
		client := n.Host("client")
		n.Host("server")
		loop := asyncio.RunningLoop(ctx)

		start := loop.Time()
		_, _, err := client.OpenConnection(ctx, "server:80")
		if !errors.Is(err, syscall.ECONNREFUSED) || loop.Time()-start != 20*time.Millisecond {
			t.Errorf("dial to a closed port: %v after %v, want ECONNREFUSED after a round trip", err, loop.Time()-start)
		}
		var op *net.OpError
		if !errors.As(err, &op) || op.Op != "dial" || op.Addr.String() != "server:80" {
			t.Errorf("dial error %#v, want a *net.OpError naming the address", err)
		}

		_, _, err = client.OpenConnection(ctx, "nowhere:80")
		var dns *net.DNSError
		if !errors.As(err, &dns) || !dns.IsNotFound {
			t.Errorf("dial to an unknown host: %v, want a not-found *net.DNSError", err)
		}

		ln := echo(t, ctx, n.Host("server"))
		n.Partition("client", "server")
		start = loop.Time()
		_, _, err = client.OpenConnection(ctx, "server:7")
		if !errors.Is(err, syscall.ETIMEDOUT) || loop.Time()-start != time.Minute {
			t.Errorf("dial across a partition: %v after %v, want ETIMEDOUT after the user timeout", err, loop.Time()-start)
		}

		start = loop.Time()
		err = asyncio.Timeout(ctx, 5*time.Second, func(ctx context.Context) error {
			_, _, err := client.OpenConnection(ctx, "server:7")
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) || loop.Time()-start != 5*time.Second {
			t.Errorf("dial across a partition in a 5s timeout: %v after %v", err, loop.Time()-start)
		}
		n.Heal("client", "server")
		r, w, err := client.OpenConnection(ctx, "server:7")
		if err != nil {
			return fmt.Errorf("dial after the heal: %w", err)
		}
		w.Write([]byte("back\n"))
		if line, err := r.ReadLine(ctx); string(line) != "back\n" || err != nil {
			t.Errorf("after the heal: %q, %v", line, err)
		}
		w.Close()
		ln.Close()
		return ln.WaitClosed(ctx)
	})
}

// A closed listener refuses dials; its connections go on until
// CloseClients.
func TestListenerClose(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: time.Millisecond})
		ln := echo(t, ctx, n.Host("server"))
		if ln.Addr().String() != "server:7" {
			t.Errorf("listener address %v", ln.Addr())
		}
		if _, err := n.Host("server").CreateServer(ctx, ":7", nil); !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("a second listener on the port: %v, want EADDRINUSE", err)
		}
		r, w, err := n.Host("client").OpenConnection(ctx, "server:7")
		if err != nil {
			return err
		}
		ln.Close()
		if _, _, err := n.Host("client").OpenConnection(ctx, "server:7"); !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("dial to a closed listener: %v", err)
		}
		w.Write([]byte("still here\n"))
		if line, err := r.ReadLine(ctx); string(line) != "still here\n" || err != nil {
			t.Errorf("the open connection after Close: %q, %v", line, err)
		}
		ln.CloseClients()
		if rest, err := r.Read(ctx, -1); len(rest) != 0 || err != nil {
			t.Errorf("after CloseClients the client read %q, %v; want the EOF", rest, err)
		}
		w.Close()
		return w.WaitClosed(ctx)
	})
}

// Data sent to an end that has closed resets the connection.
func TestWriteToClosedPeerResets(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		a, b, err := simnet.StreamPipe(ctx)
		if err != nil {
			return err
		}
		a.Writer.Close()
		if err := a.Writer.WaitClosed(ctx); err != nil {
			return err
		}
		if rest, err := b.Reader.Read(ctx, -1); len(rest) != 0 || err != nil {
			t.Fatalf("b read %q, %v; want the EOF", rest, err)
		}
		// The stream keeps its write side open after the EOF: a
		// half-closed connection, whose peer is gone.
		if err := b.Writer.Write([]byte("anyone?")); err != nil {
			t.Fatalf("the write itself succeeds: %v", err)
		}
		if err := b.Writer.WaitClosed(ctx); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("b's connection ended with %v, want ECONNRESET", err)
		}
		return nil
	})
}

// Closing an end with data its protocol never took resets the
// connection, as a kernel does.
func TestCloseWithUnreadDataResets(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		a, b, err := simnet.StreamPipe(ctx)
		if err != nil {
			return err
		}
		b.Writer.Transport().PauseReading()
		a.Writer.Write([]byte("never read"))
		asyncio.Sleep(ctx, time.Millisecond) // let it arrive
		b.Writer.Close()
		if err := a.Writer.WaitClosed(ctx); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("a's connection ended with %v, want ECONNRESET", err)
		}
		return b.Writer.WaitClosed(ctx)
	})
}

// keeper is a protocol that keeps the slice DataReceived gave it: a bug
// the transport makes show at once.
type keeper struct {
	asyncio.BaseProtocol
	kept []byte
	got  *asyncio.Event
}

func (k *keeper) DataReceived(p []byte) { k.kept = p; k.got.Set() }

func TestDataReceivedSliceIsReused(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		k := &keeper{got: asyncio.NewEvent()}
		ta, tb, err := simnet.Pipe(ctx, &asyncio.BaseProtocol{}, k)
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, 0)
		ta.Write([]byte("hello"))
		if err := k.got.Wait(ctx); err != nil {
			return err
		}
		if string(k.kept) == "hello" {
			t.Errorf("the slice kept after DataReceived still reads %q", k.kept)
		}
		ta.Abort()
		tb.Abort()
		return asyncio.Sleep(ctx, 0)
	})
}

// The handler's error goes to the loop's exception handler, and its
// connection is closed.
func TestStartServerReportsHandlerError(t *testing.T) {
	var reports []asyncio.ExceptionContext
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{})
		ln, err := n.Host("server").StartServer(ctx, ":1", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			return errors.New("handler broke")
		})
		if err != nil {
			return err
		}
		defer ln.Close()
		r, w, err := n.Host("client").OpenConnection(ctx, "server:1")
		if err != nil {
			return err
		}
		if rest, err := r.Read(ctx, -1); len(rest) != 0 || err != nil {
			t.Errorf("the client read %q, %v; want the EOF of the closed connection", rest, err)
		}
		w.Close()
		return w.WaitClosed(ctx)
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != 1 || reports[0].Err == nil || reports[0].Err.Error() != "handler broke" {
		t.Fatalf("exception handler got %v, want the handler's error", reports)
	}
}

// lostRecorder is a protocol that records how its connection ended.
type lostRecorder struct {
	asyncio.BaseProtocol
	lost *asyncio.Future[error]
}

func (r *lostRecorder) ConnectionLost(err error) { r.lost.SetResult(err) }

// A dial whose answer is lost fails after the user timeout; the server's
// end, whose answer never arrives, ends with ETIMEDOUT too.
func TestDialAnswerLost(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond})
		n.SetUserTimeout(20 * time.Second)
		server := &lostRecorder{lost: asyncio.NewFuture[error](ctx)}
		ln, err := n.Host("server").CreateServer(ctx, ":1", func() asyncio.Protocol { return server })
		if err != nil {
			return err
		}
		loop := asyncio.RunningLoop(ctx)
		// The dial's packet arrives at 10ms; the answer would at 20ms.
		loop.CallLater(15*time.Millisecond, func() { n.Partition("client", "server") })
		_, _, err = n.Host("client").CreateConnection(ctx, "server:1", func() asyncio.Protocol { return &asyncio.BaseProtocol{} })
		if !errors.Is(err, syscall.ETIMEDOUT) || loop.Time() != 20*time.Second {
			t.Errorf("dial: %v at %v, want ETIMEDOUT at the user timeout, 20s", err, loop.Time())
		}
		if err, _ := server.lost.Wait(ctx); !errors.Is(err, syscall.ETIMEDOUT) {
			t.Errorf("the server's end ended with %v, want ETIMEDOUT", err)
		}
		ln.Close()
		return ln.WaitClosed(ctx)
	})
}

// A dial given up before the listener answered leaves the server an end
// whose answer is met with a reset.
func TestAbandonedDialIsReset(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		n := network(t, ctx, 1, simnet.Link{Latency: 10 * time.Millisecond})
		server := &lostRecorder{lost: asyncio.NewFuture[error](ctx)}
		ln, err := n.Host("server").CreateServer(ctx, ":1", func() asyncio.Protocol { return server })
		if err != nil {
			return err
		}
		err = asyncio.Timeout(ctx, 5*time.Millisecond, func(ctx context.Context) error {
			_, _, err := n.Host("client").CreateConnection(ctx, "server:1", func() asyncio.Protocol { return &asyncio.BaseProtocol{} })
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("dial in a 5ms timeout: %v", err)
		}
		if err, _ := server.lost.Wait(ctx); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("the server's end ended with %v, want ECONNRESET", err)
		}
		if now := asyncio.RunningLoop(ctx).Time(); now != 30*time.Millisecond {
			t.Errorf("the reset came at %v, want 30ms: the dial's packet, the answer, the reset", now)
		}
		ln.Close()
		return ln.WaitClosed(ctx)
	})
}

// Several clients of one server over a lossy network, under many
// schedules: each gets its own answers back, whatever the interleaving.
func TestExploreClients(t *testing.T) {
	asynciotest.Explore(t, 10, func(ctx context.Context) error {
		n := network(t, ctx, 3, lossy)
		ln := echo(t, ctx, n.Host("server"))
		var clients []func(context.Context) (int, error)
		for i := range 4 {
			clients = append(clients, func(ctx context.Context) (int, error) {
				r, w, err := n.Host(fmt.Sprint("client", i)).OpenConnection(ctx, "server:7")
				if err != nil {
					return 0, err
				}
				defer w.Close()
				for j := range 5 {
					msg := fmt.Sprintf("client %d message %d\n", i, j)
					w.Write([]byte(msg))
					line, err := r.ReadLine(ctx)
					if err != nil {
						return 0, err
					}
					if string(line) != msg {
						return 0, fmt.Errorf("client %d sent %q, got %q back", i, msg, line)
					}
				}
				return i, nil
			})
		}
		if _, err := asyncio.Gather(ctx, clients...); err != nil {
			return err
		}
		ln.Close()
		return ln.WaitClosed(ctx)
	})
}
