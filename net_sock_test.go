//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func socketpair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if err := asyncio.SetNonblock(fd); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// A megabyte goes through a socket pair between two tasks: the writer
// waits whenever the socket's buffer is full, the reader whenever it is
// empty, and the end of the stream reads as 0.
func TestSockSendAllAndRecv(t *testing.T) {
	a, b := socketpair(t)
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	asynciotest.Run(t, func(ctx context.Context) error {
		writer := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			err := asyncio.SockSendAll(ctx, a, payload)
			unix.Shutdown(a, unix.SHUT_WR)
			return 0, err
		})
		var got []byte
		buf := make([]byte, 4096)
		for {
			n, err := asyncio.SockRecv(ctx, b, buf)
			if err != nil {
				return err
			}
			if n == 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
		if _, err := writer.Wait(ctx); err != nil {
			return err
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("received %d bytes, want %d, equal %v", len(got), len(payload), bytes.Equal(got, payload))
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// A receive that nothing answers ends with its timeout, and stops watching
// the descriptor.
func TestSockRecvTimeout(t *testing.T) {
	_, b := socketpair(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			_, err := asyncio.SockRecv(ctx, b, make([]byte, 8))
			return err
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("SockRecv under a timeout: %v", err)
		}
		if asyncio.RunningLoop(ctx).RemoveReader(b) {
			t.Error("the descriptor was still watched after the wait ended")
		}
		return nil
	})
}

func TestSockConnectAndAccept(t *testing.T) {
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	lclosed := false
	defer func() {
		if !lclosed {
			unix.Close(lfd)
		}
	}()
	asyncio.SetNonblock(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	unix.Listen(lfd, 16)
	sa, _ := unix.Getsockname(lfd)
	addr := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: sa.(*unix.SockaddrInet4).Port}

	asynciotest.Run(t, func(ctx context.Context) error {
		server := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			cfd, peer, err := asyncio.SockAccept(ctx, lfd)
			if err != nil {
				return "", err
			}
			defer unix.Close(cfd)
			if peer == nil {
				t.Error("no peer address")
			}
			buf := make([]byte, 16)
			n, err := asyncio.SockRecv(ctx, cfd, buf)
			return string(buf[:n]), err
		})
		cfd, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		defer unix.Close(cfd)
		asyncio.SetNonblock(cfd)
		if err := asyncio.SockConnect(ctx, cfd, addr); err != nil {
			return err
		}
		if err := asyncio.SockSendAll(ctx, cfd, []byte("ping")); err != nil {
			return err
		}
		got, err := server.Wait(ctx)
		if got != "ping" || err != nil {
			t.Errorf("server got %q, %v", got, err)
		}

		// Connecting to a port nobody listens on fails with the error.
		dead, _ := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		defer unix.Close(dead)
		asyncio.SetNonblock(dead)
		unix.Close(lfd) // nobody listens any more
		lclosed = true
		if err := asyncio.SockConnect(ctx, dead, addr); err == nil {
			t.Error("connect to a closed port succeeded")
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestSockNeedsTask(t *testing.T) {
	_, b := socketpair(t)
	if _, err := asyncio.SockRecv(context.Background(), b, make([]byte, 1)); !errors.Is(err, asyncio.ErrNoTask) {
		t.Fatalf("SockRecv with a ctx of no task: %v", err)
	}
}

// TestSnapshotSocketWait: a task in SockRecv is shown waiting for its
// socket, and one in ToThread for the executor.
func TestSnapshotSocketWait(t *testing.T) {
	a, _ := socketpair(t)
	release := make(chan struct{})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		reader := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.SockRecv(ctx, a, make([]byte, 8))
		}, asyncio.Name("reader"))
		blocking := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return asyncio.ToThread(ctx, func() (int, error) { <-release; return 0, nil })
		}, asyncio.Name("offloaded"))
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return struct{}{}, err
		}
		s, err := asyncio.RunningLoop(ctx).Snapshot(ctx)
		if err != nil {
			return struct{}{}, err
		}
		for name, want := range map[string]string{"reader": "socket readable", "offloaded": "executor"} {
			if got := taskByName(t, s, name).Wait; got != want {
				t.Errorf("%s waits in %q, want %q", name, got, want)
			}
		}
		close(release)
		reader.Cancel()
		reader.Wait(ctx)
		_, err = blocking.Wait(ctx)
		return struct{}{}, err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A receive cancelled while a second one on the same descriptor waits
// leaves the second one's watch in place: the second receives what comes
// next (before, the first one's removal took the second's watch away, and
// it never woke).
func TestSockCancelledRecvLeavesNextOne(t *testing.T) {
	a, b := socketpair(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		recv := func(ctx context.Context) (string, error) {
			buf := make([]byte, 8)
			n, err := asyncio.SockRecv(ctx, b, buf)
			return string(buf[:n]), err
		}
		first := asyncio.Spawn(ctx, recv)
		asyncio.Sleep(ctx, 0) // first waits
		second := asyncio.Spawn(ctx, recv)
		asyncio.Sleep(ctx, 0) // second waits, its watch replacing the first's
		first.Cancel()
		if _, err := first.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled SockRecv: %v", err)
		}
		unix.Write(a, []byte("data"))
		err := asyncio.Timeout(ctx, time.Minute, func(ctx context.Context) error {
			got, err := second.Wait(ctx)
			if got != "data" {
				t.Errorf("second SockRecv got %q, %v", got, err)
			}
			return err
		})
		if err != nil {
			t.Errorf("second SockRecv: %v", err)
		}
		second.Cancel()
		return nil
	})
}

// The same for SockSendAll: a send cancelled while a second one waits for
// room in the socket's buffer leaves the second one's watch in place.
func TestSockCancelledSendLeavesNextOne(t *testing.T) {
	a, b := socketpair(t)
	for { // fill a's buffer
		if _, err := unix.Write(a, make([]byte, 4096)); err != nil {
			break
		}
	}
	asynciotest.Run(t, func(ctx context.Context) error {
		send := func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.SockSendAll(ctx, a, []byte("x"))
		}
		first := asyncio.Spawn(ctx, send)
		asyncio.Sleep(ctx, 0)
		second := asyncio.Spawn(ctx, send)
		asyncio.Sleep(ctx, 0)
		first.Cancel()
		if _, err := first.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled SockSendAll: %v", err)
		}
		buf := make([]byte, 1<<16)
		for { // drain b: a is writable again
			if _, err := unix.Read(b, buf); err != nil {
				break
			}
		}
		err := asyncio.Timeout(ctx, time.Minute, func(ctx context.Context) error {
			_, err := second.Wait(ctx)
			return err
		})
		if err != nil {
			t.Errorf("second SockSendAll: %v", err)
		}
		second.Cancel()
		return nil
	})
}
