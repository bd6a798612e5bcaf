//go:build linux

package aiohttp_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// idleWSTarget is how many silent WebSockets TestWSHostileIdleReaped
// holds, fd limit permitting, under the race detector too (where they
// take about 4 s).
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
// them left. The clients are bare sockets in another process
// (TestWSIdleClientProcess), so that this one has descriptors for all of
// the server's ends, and the heap's growth while they are open is the
// server's cost of an idle WebSocket.
func TestWSHostileIdleReaped(t *testing.T) {
	const d = 30 * time.Second
	n := idleWSTarget
	// Each connection takes a descriptor in this process and one in the
	// clients' (which inherits the limit); 64 are kept for the rest.
	if room := raiseFDLimit(t, n+200); n+64 > room {
		n = room - 64
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
		port := srv.Addr().(*net.TCPAddr).Port
		// One WebSocket first, closed at once, so that pools and the
		// loop's tables are warm.
		if _, err := asyncio.ToThread(ctx, func() (struct{}, error) {
			fd, err := rawWSConnect(port)
			if err == nil {
				syscall.Close(fd)
			}
			return struct{}{}, err
		}); err != nil {
			return err
		}
		before := settledHeap(ctx)

		clients, err := startIdleClients(ctx, port, n)
		if err != nil {
			return err
		}
		defer clients.stop(ctx)
		if err := clients.await(ctx, "ready"); err != nil {
			return err
		}
		grew := settledHeap(ctx) - before
		perConn := grew / int64(n)
		t.Logf("server heap per idle WebSocket: %d bytes (HeapInuse grew by %d KiB for %d WebSockets)", perConn, grew>>10, n)
		if perConn > 4<<10 {
			t.Errorf("an idle WebSocket costs the server %d bytes of heap, over 4 KiB", perConn)
		}
		if len(wss) != n+1 {
			return fmt.Errorf("%d WebSockets upgraded, want %d", len(wss), n+1)
		}
		idle := wss[1:] // the first, the warm-up's, was closed by its client

		clock.Advance(d)
		if err := clients.await(ctx, "pings"); err != nil {
			return fmt.Errorf("after the interval: %w", err)
		}
		for _, ws := range idle {
			if err := ws.Err(); err != nil {
				return fmt.Errorf("a WebSocket ended before half an interval after its ping: %w", err)
			}
		}
		clock.Advance(d / 2)
		if err := clients.await(ctx, "ends"); err != nil {
			return fmt.Errorf("half an interval after the pings: %w", err)
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

// settledHeap returns the heap in use once the loop has run what is ready
// (the handlers' tasks have ended), after two collections.
func settledHeap(ctx context.Context) int64 {
	for range 3 {
		asyncio.Sleep(ctx, 0)
	}
	return measureLive().heap
}

// idleClients is the process of TestWSIdleClientProcess: its standard
// input takes commands, a line each, and its standard output answers.
type idleClients struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// startIdleClients starts the process of n silent clients of port.
func startIdleClients(ctx context.Context, port, n int) (*idleClients, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestWSIdleClientProcess$")
	cmd.Env = append(os.Environ(), "AIOHTTP_WS_IDLE_CLIENTS="+strconv.Itoa(port)+" "+strconv.Itoa(n))
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &idleClients{cmd: cmd, in: in, out: bufio.NewReader(out)}, nil
}

// await sends the command cmd (but "ready", which the process says on its
// own once its clients have upgraded) and waits for the process to say it
// was done for every client: a line cmd + " ok". The wait is on the
// loop's executor, so that the loop goes on serving.
func (c *idleClients) await(ctx context.Context, cmd string) error {
	_, err := asyncio.ToThread(ctx, func() (struct{}, error) {
		if cmd != "ready" {
			if _, err := io.WriteString(c.in, cmd+"\n"); err != nil {
				return struct{}{}, err
			}
		}
		line, err := c.out.ReadString('\n')
		if err != nil {
			return struct{}{}, fmt.Errorf("the clients' process: %q, %v", line, err)
		}
		if line != cmd+" ok\n" {
			return struct{}{}, fmt.Errorf("the clients' process says %q", line)
		}
		return struct{}{}, nil
	})
	return err
}

// stop ends the clients' process: the end of its input closes its sockets.
func (c *idleClients) stop(ctx context.Context) {
	asyncio.ToThread(context.WithoutCancel(ctx), func() (struct{}, error) {
		c.in.Close()
		return struct{}{}, c.cmd.Wait()
	})
}

// TestWSIdleClientProcess is the clients' process of
// TestWSHostileIdleReaped: it opens silent WebSockets, says "ready ok",
// then for each command on its standard input, checks every client: for
// "pings", that it got the heartbeat's ping; for "ends", that the server
// closed its connection. It exits at the end of its input.
func TestWSIdleClientProcess(t *testing.T) {
	var port, n int
	if _, err := fmt.Sscan(os.Getenv("AIOHTTP_WS_IDLE_CLIENTS"), &port, &n); err != nil {
		t.Skip("the clients' process of TestWSHostileIdleReaped")
	}
	var fds []int
	defer func() {
		for _, fd := range fds {
			syscall.Close(fd)
		}
	}()
	for range n {
		fd, err := rawWSConnect(port)
		if err != nil {
			fmt.Printf("ready: %v\n", err)
			return
		}
		fds = append(fds, fd)
	}
	fmt.Println("ready ok")
	checks := map[string]func(fd int) error{"pings": readPing, "ends": readEnd}
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		check := checks[in.Text()]
		if check == nil {
			fmt.Printf("%s: unknown command\n", in.Text())
			return
		}
		var errs []error
		for _, fd := range fds {
			if err := check(fd); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			fmt.Printf("%s: %d of %d clients: %v\n", in.Text(), len(errs), n, errs[0])
			continue
		}
		fmt.Println(in.Text() + " ok")
	}
}
