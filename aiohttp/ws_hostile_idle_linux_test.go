//go:build linux

package aiohttp_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// idleWSTarget is how many silent WebSockets TestWSHostileIdleReaped
// holds, fd limit permitting: under the race detector too, where they
// take about 3 s.
const idleWSTarget = 10000

// raiseFDLimit raises the soft limit on open descriptors to want, or as
// near as the hard limit allows, restoring it when t ends, and returns
// how many descriptors the test may open beyond those open now.
func raiseFDLimit(t *testing.T, want int) int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return want
	}
	if rl.Cur < uint64(want) && rl.Cur < rl.Max {
		old := rl
		rl.Cur = min(uint64(want), rl.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil {
			t.Cleanup(func() { syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old) })
		} else {
			rl = old
		}
	}
	open := 0
	if fds, err := os.ReadDir("/proc/self/fd"); err == nil {
		open = len(fds)
	}
	return int(rl.Cur) - open
}

// rawWSConnect opens a bare socket to 127.0.0.1:port (no Go memory
// held), does the opening handshake and returns the socket, with a
// receive timeout of 20 s as a deadline for the reads that follow.
func rawWSConnect(port int) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	fail := func(err error) (int, error) {
		syscall.Close(fd)
		return -1, err
	}
	tv := syscall.NsecToTimeval((20 * time.Second).Nanoseconds())
	if err := syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv); err != nil {
		return fail(err)
	}
	if err := connectRetry(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fail(err)
	}
	if _, err := writeRetry(fd, []byte(wsHandshakeRequest(""))); err != nil {
		return fail(err)
	}
	var buf [512]byte
	got := 0
	for !bytes.Contains(buf[:got], []byte("\r\n\r\n")) {
		n, err := readRetry(fd, buf[got:])
		if err != nil || n == 0 {
			return fail(fmt.Errorf("reading the handshake's response: %q, %v", buf[:got], err))
		}
		got += n
	}
	if !bytes.HasPrefix(buf[:got], []byte("HTTP/1.1 101 ")) || !bytes.HasSuffix(buf[:got], []byte("\r\n\r\n")) {
		return fail(fmt.Errorf("the handshake's response: %q", buf[:got]))
	}
	return fd, nil
}

// The blocking system calls of the bare sockets are retried when a signal
// of the runtime (preemption) interrupts them.

func readRetry(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Read(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

func writeRetry(fd int, p []byte) (int, error) {
	for {
		n, err := syscall.Write(fd, p)
		if err != syscall.EINTR {
			return n, err
		}
	}
}

// connectRetry connects fd to sa; a connect interrupted goes on in the
// kernel, and is retried until it reports the outcome.
func connectRetry(fd int, sa syscall.Sockaddr) error {
	err := syscall.Connect(fd, sa)
	for err == syscall.EINTR || err == syscall.EALREADY {
		err = syscall.Connect(fd, sa)
	}
	if err == syscall.EISCONN {
		return nil
	}
	return err
}

// readPing reads the heartbeat's ping, an empty one, from fd.
func readPing(fd int) error {
	var b [2]byte
	for got := 0; got < 2; {
		n, err := readRetry(fd, b[got:])
		if err != nil || n == 0 {
			return fmt.Errorf("reading a ping: %v", err)
		}
		got += n
	}
	if b != [2]byte{0x89, 0x00} {
		return fmt.Errorf("got % x, want an empty ping (89 00)", b)
	}
	return nil
}

// readEnd reads from fd until the server's end of the connection closes
// it, which must come with nothing more to read.
func readEnd(fd int) error {
	var b [16]byte
	n, err := readRetry(fd, b[:])
	switch {
	case err == syscall.ECONNRESET || (err == nil && n == 0):
		return nil
	case err != nil:
		return fmt.Errorf("waiting for the connection to close: %v", err)
	}
	return fmt.Errorf("got % x, want the connection closed", b[:n])
}

// Thousands of WebSockets that upgrade and go silent are all reaped by the
// server's heartbeat: pinged after the interval d, failed half an interval
// later (ErrWSHeartbeat, 1006), their connections closed, and nothing of
// them left. The clients are bare sockets, which hold no Go memory, so the
// heap's growth while they are open is the server's cost of an idle
// WebSocket.
func TestWSHostileIdleReaped(t *testing.T) {
	const d = 30 * time.Second
	n := idleWSTarget
	// Each connection takes a descriptor for its client and one for the
	// server's end, both in this process; 64 are kept for the rest.
	if room := raiseFDLimit(t, 2*n+200); 2*n+64 > room {
		n = (room - 64) / 2
		t.Logf("the fd limit leaves room for %d descriptors (ulimit -Hn): %d silent WebSockets instead of %d", room, n, idleWSTarget)
	}
	var wss []*aiohttp.WebSocket // appended by the handlers' tasks, read by the main task: all on the loop
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, aiohttp.Heartbeat(d))
		if err != nil {
			t.Errorf("Upgrade: %v", err)
			return
		}
		wss = append(wss, ws)
	})
	wsServeVirtual(t, h, func(ctx context.Context, srv *aiohttp.Server, clock *asyncio.VirtualClock) error {
		clock.SetAutoJump(false) // the clock moves only when the test says so
		l := asyncio.RunningLoop(ctx)
		port := srv.Addr().(*net.TCPAddr).Port
		type dialed struct {
			fds  []int
			heap int64
			err  error
		}
		res := make(chan dialed, 1)
		// The dialer ends once it has measured, sending on res.
		go func() {
			var r dialed
			defer func() { res <- r }()
			// One WebSocket first, closed at once, so that pools and
			// the loop's tables are warm.
			fd, err := rawWSConnect(port)
			if err != nil {
				r.err = err
				return
			}
			syscall.Close(fd)
			settle(l)
			before := measureLive()
			for range n {
				fd, err := rawWSConnect(port)
				if err != nil {
					r.err = err
					return
				}
				r.fds = append(r.fds, fd)
			}
			settle(l)
			r.heap = measureLive().heap - before.heap
		}()
		r, _, err := asyncio.Recv(ctx, res)
		defer asyncio.ToThread(context.WithoutCancel(ctx), func() (struct{}, error) {
			for _, fd := range r.fds {
				syscall.Close(fd)
			}
			return struct{}{}, nil
		})
		if err != nil || r.err != nil {
			return errors.Join(err, r.err)
		}
		perConn := r.heap / int64(n)
		t.Logf("server heap per idle WebSocket: %d bytes (HeapInuse grew by %d KiB for %d WebSockets)", perConn, r.heap>>10, n)
		if perConn > 4<<10 {
			t.Errorf("an idle WebSocket costs the server %d bytes of heap, over 4 KiB", perConn)
		}
		if len(wss) != n+1 {
			return fmt.Errorf("%d WebSockets upgraded, want %d", len(wss), n+1)
		}
		idle := wss[1:] // the first, the warm-up's, was closed by its client

		// Each client reads from its own socket, in the goroutine that
		// the steps below start one at a time; each ends with one send.
		forAll := func(read func(fd int) error) chan error {
			done := make(chan error, 1)
			go func() {
				var errs []error
				for _, fd := range r.fds {
					if err := read(fd); err != nil {
						errs = append(errs, err)
					}
				}
				if len(errs) > 0 {
					done <- fmt.Errorf("%d of %d clients: %w", len(errs), len(r.fds), errs[0])
					return
				}
				done <- nil
			}()
			return done
		}
		clock.Advance(d)
		if err, _, rerr := asyncio.Recv(ctx, forAll(readPing)); rerr != nil || err != nil {
			return fmt.Errorf("after the interval, the pings: %w", errors.Join(err, rerr))
		}
		for _, ws := range idle {
			if err := ws.Err(); err != nil {
				return fmt.Errorf("a WebSocket ended before half an interval after its ping: %w", err)
			}
		}
		clock.Advance(d / 2)
		if err, _, rerr := asyncio.Recv(ctx, forAll(readEnd)); rerr != nil || err != nil {
			return fmt.Errorf("half an interval after the pings: %w", errors.Join(err, rerr))
		}
		bad := 0
		for _, ws := range idle {
			if ws.CloseCode() != aiohttp.WSCloseAbnormal || !errors.Is(ws.Err(), aiohttp.ErrWSHeartbeat) {
				if bad++; bad == 1 {
					t.Errorf("a reaped WebSocket ended with %v, want ErrWSHeartbeat (1006)", ws.Err())
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d of %d WebSockets did not end by the heartbeat", bad, n)
		}
		return nil
	})
}
