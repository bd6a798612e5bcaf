//go:build unix

package asyncio

import (
	"context"
	"io"
	"net"
	"syscall"
	"testing"
)

// TestParkedStreamHandlerStack runs a stream server whose handler echoes a
// line and then waits for the next one, as the handler of an idle
// connection does, with many connections, and checks the stack each
// handler holds: the echo on the way there (a read that allocates, a
// write to the socket) must not grow it either. See task_stackdepth_test.go.
func TestParkedStreamHandlerStack(t *testing.T) {
	startStackTest(t)
	if DefaultIOBackend() != BackendPoller {
		t.Skip("the portable backend has goroutines of its own per connection")
	}
	const n = 1000
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil || lim.Cur < 2*n+100 {
		t.Skipf("needs %d descriptors (limit %d, %v)", 2*n+100, lim.Cur, err)
	}
	var perConn float64
	_, err := Run(func(ctx context.Context) (struct{}, error) {
		parked := 0
		srv, err := StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *StreamReader, w *StreamWriter) error {
			line, err := r.ReadLine(ctx)
			if err != nil {
				return err
			}
			w.Write(line)
			if err := w.Drain(ctx); err != nil {
				return err
			}
			parked++
			_, err = r.ReadLine(ctx)
			return err
		})
		if err != nil {
			return struct{}{}, err
		}
		defer srv.Close()
		addr := srv.Addrs()[0].String()
		before := stackInuse()
		// The clients connect from a goroutine, off the loop, one at a
		// time: each sends a line and reads its echo.
		dialed := NewFuture[[]net.Conn](ctx)
		go func() {
			var conns []net.Conn
			buf := make([]byte, 2)
			for range n {
				c, err := net.Dial("tcp", addr)
				if err == nil {
					conns = append(conns, c)
					_, err = c.Write([]byte("x\n"))
				}
				if err == nil {
					_, err = io.ReadFull(c, buf)
				}
				if err != nil {
					for _, c := range conns {
						c.Close()
					}
					dialed.SetError(err)
					return
				}
			}
			dialed.SetResult(conns)
		}()
		conns, err := dialed.Wait(ctx)
		if err != nil {
			return struct{}{}, err
		}
		defer func() {
			for _, c := range conns {
				c.Close()
			}
		}()
		// A handler counts itself as parked just before its second
		// ReadLine, and the handlers do not run while this task does.
		for parked < n {
			if err := Sleep(ctx, 0); err != nil {
				return struct{}{}, err
			}
		}
		perConn = float64(stackInuse()-before) / n
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	checkStackPerTask(t, "a stream handler's ReadLine", perConn)
}
