//go:build linux

package aiohttp_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// idleConns is how many idle keep-alive connections the memory benchmarks
// hold at once.
const idleConns = 1000

// liveMem is the heap and the stacks in use after two collections (the
// second empties sync.Pool's victim cache), as the memory benchmarks
// measure them: what is live, not garbage.
type liveMem struct{ heap, stack int64 }

func measureLive() liveMem {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return liveMem{int64(m.HeapInuse), int64(m.StackInuse)}
}

// report reports the growth from before to now per connection: in all,
// and its heap and stack parts.
func (before liveMem) report(b *testing.B, conns int) {
	now := measureLive()
	heap := float64(now.heap-before.heap) / float64(conns)
	stack := float64(now.stack-before.stack) / float64(conns)
	b.ReportMetric(heap+stack, "B/conn")
	b.ReportMetric(heap, "heapB/conn")
	b.ReportMetric(stack, "stackB/conn")
}

// BenchmarkServerIdleConnMemory measures the server's memory per idle
// keep-alive connection: idleConns connections, one GET each, then held
// idle. The clients are bare sockets made with system calls, which hold
// no Go memory, so the growth is the server's. Run it with
// -benchtime=1x: an op is the whole measurement.
func BenchmarkServerIdleConnMemory(b *testing.B) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "Hello, World!") })
	for b.Loop() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
			if err != nil {
				return struct{}{}, err
			}
			l := asyncio.RunningLoop(ctx)
			port := srv.Addr().(*net.TCPAddr).Port
			done := make(chan error, 1)
			// This goroutine ends when it has measured: it sends on done,
			// which the task waits for.
			go func() {
				var fds []int
				defer func() {
					for _, fd := range fds {
						syscall.Close(fd)
					}
				}()
				// One connection first, so that pools and the loop's
				// tables are warm.
				fd, err := rawGet(port)
				if err != nil {
					done <- err
					return
				}
				syscall.Close(fd)
				settle(l)
				before := measureLive()
				for range idleConns {
					fd, err := rawGet(port)
					if err != nil {
						done <- err
						return
					}
					fds = append(fds, fd)
				}
				settle(l)
				before.report(b, idleConns)
				done <- nil
			}()
			if err, _, rerr := asyncio.Recv(ctx, done); rerr != nil || err != nil {
				return struct{}{}, fmt.Errorf("%v %v", err, rerr)
			}
			return struct{}{}, srv.Shutdown(ctx)
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// settle waits, from a plain goroutine, until l has run what is ready: the
// requests' tasks have ended and their connections are idle.
func settle(l *asyncio.Loop) {
	for range 3 {
		asyncio.SubmitWait(context.Background(), l, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Sleep(ctx, 0)
		})
	}
}

// rawGet connects to 127.0.0.1:port with a bare socket, sends one GET and
// reads the response ("Hello, World!" last), and returns the socket.
func rawGet(port int) (int, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	if err := syscall.Connect(fd, &syscall.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	if _, err := syscall.Write(fd, []byte("GET / HTTP/1.1\r\nHost: bench\r\n\r\n")); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	var buf [1024]byte
	got := 0
	for !bytes.HasSuffix(buf[:got], []byte("Hello, World!")) {
		n, err := syscall.Read(fd, buf[got:])
		if err != nil || n == 0 {
			syscall.Close(fd)
			return -1, fmt.Errorf("read: %d bytes, %v", got, err)
		}
		got += n
	}
	return fd, nil
}

// TestIdleServerProcess is the server of BenchmarkSessionIdleConnMemory,
// run in a process of its own so that its memory is not measured: it
// prints its address, then serves until its standard input ends.
func TestIdleServerProcess(t *testing.T) {
	if os.Getenv("AIOHTTP_IDLE_SERVER") != "1" {
		t.Skip("the server process of BenchmarkSessionIdleConnMemory")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "Hello, World!")
	})}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Println(ln.Addr())
	io.Copy(io.Discard, os.Stdin)
	srv.Close()
	<-served
}

// BenchmarkSessionIdleConnMemory measures a Session's memory per idle
// pooled connection: idleConns GETs at once (the pool's limit lifted), to
// a net/http server in another process, whose connections the pool then
// holds idle. Run it with -benchtime=1x: an op is the whole measurement.
func BenchmarkSessionIdleConnMemory(b *testing.B) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleServerProcess$")
	cmd.Env = append(os.Environ(), "AIOHTTP_IDLE_SERVER=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	url := "http://" + addr[:len(addr)-1] + "/"
	for b.Loop() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			s := aiohttp.NewSession(aiohttp.Limit(0))
			defer s.Close(ctx)
			get := func(ctx context.Context) (struct{}, error) {
				resp, err := s.Get(ctx, url)
				if err != nil {
					return struct{}{}, err
				}
				_, err = resp.Bytes(ctx)
				return struct{}{}, err
			}
			if _, err := get(ctx); err != nil {
				return struct{}{}, err
			}
			// The loop keeps the goroutines of ended tasks for the next
			// ones, up to a bound: fill that pool first, so that their
			// stacks are not counted as the connections'.
			if err := spawnBurst(ctx, idleConns); err != nil {
				return struct{}{}, err
			}
			fds0, before := countFDs(), measureLive()
			tasks := make([]*asyncio.Task[struct{}], idleConns)
			for i := range tasks {
				tasks[i] = asyncio.Spawn(ctx, get)
			}
			for _, t := range tasks {
				if _, err := t.Wait(ctx); err != nil {
					return struct{}{}, err
				}
			}
			clear(tasks)
			asyncio.Sleep(ctx, 0)
			opened := countFDs() - fds0
			if opened < idleConns/2 {
				return struct{}{}, fmt.Errorf("%d connections opened for %d requests at once", opened, idleConns)
			}
			before.report(b, opened)
			b.ReportMetric(float64(opened), "conns")
			return struct{}{}, nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// spawnBurst runs n tasks at once, each of which waits once.
func spawnBurst(ctx context.Context, n int) error {
	tasks := make([]*asyncio.Task[struct{}], n)
	for i := range tasks {
		tasks[i] = asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, asyncio.Sleep(ctx, 0)
		})
	}
	for _, t := range tasks {
		if _, err := t.Wait(ctx); err != nil {
			return err
		}
	}
	return nil
}

// countFDs counts this process's open file descriptors.
func countFDs() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	return len(fds)
}
