package main

// idleclient is the client side of bench/run.sh's idle-mem, http-idle-mem
// and ws-idle-mem workloads and of bench/idle_mem.py.
//
//	asyncio-bench idleclient -addr 127.0.0.1:PORT -n 10000 [-pid PID | -hold] [-proto http|ws]
//
// It opens n connections with 32 parallel dialers; on each it writes 64
// bytes and reads the 64 bytes of the echo (so the server has accepted and
// served it), or with -proto http (bench/run.sh's http-idle-mem) sends
// GET / and reads the whole response, which leaves an idle keep-alive
// connection, or with -proto ws (ws-idle-mem) upgrades to WebSocket and
// has one 64 B binary message echoed (wsOnce). With -pid it reads the server's VmRSS before the first
// connection and again once every connection is open and a settling time
// (-settle) has passed, prints one JSON line with the difference per
// connection and how many connections the server still held open then
// (still_open: one it closed no longer counts in its memory), and closes
// them. With -hold it prints one JSON line ({"open":n,"open_s":...}) once
// every connection is open and holds them until stdin closes or it gets
// SIGTERM. With neither it closes them at once (a warm-up).

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// idleConfig is the idleclient subcommand's flags.
type idleConfig struct {
	addr   string
	n      int
	hold   bool
	pid    int
	settle time.Duration
	proto  string // "tcp", "http" or "ws"
}

func idleClient(cfg idleConfig) error {
	addr, n, hold, pid := cfg.addr, cfg.n, cfg.hold, cfg.pid
	var exchange func(net.Conn) error
	switch cfg.proto {
	case "tcp":
		exchange = echoOnce
	case "http":
		exchange = getOnce
	case "ws":
		exchange = wsOnce
	default:
		return fmt.Errorf("idleclient: unknown -proto %q (have tcp, http, ws)", cfg.proto)
	}
	rss0 := vmrssKB(pid)
	conns := make([]net.Conn, n)
	var next, failed atomic.Int64
	var firstErr atomic.Value
	t0 := time.Now()
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				c, err := net.DialTimeout("tcp4", addr, 10*time.Second)
				if err == nil {
					c.SetDeadline(time.Now().Add(20 * time.Second))
					err = exchange(c)
					c.SetDeadline(time.Time{})
					if err != nil {
						c.Close()
					}
				}
				if err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err)
					continue
				}
				conns[i] = c
			}
		}()
	}
	wg.Wait()
	openS := time.Since(t0).Seconds()
	if f := failed.Load(); f > 0 {
		err, _ := firstErr.Load().(error)
		return fmt.Errorf("%d of %d connections failed, the first with: %w", f, n, err)
	}
	if pid > 0 {
		time.Sleep(cfg.settle)
		rss1 := vmrssKB(pid)
		fmt.Printf("{\"n\":%d,\"open_s\":%.2f,\"rss_before_kb\":%d,\"rss_after_kb\":%d,\"bytes_per_conn\":%.0f,\"still_open\":%d}\n",
			n, openS, rss0, rss1, float64(rss1-rss0)*1024/float64(n), stillOpen(conns))
	}
	if hold {
		fmt.Printf("{\"open\":%d,\"open_s\":%.2f}\n", n, openS)
		done := make(chan struct{})
		go func() { io.Copy(io.Discard, os.Stdin); close(done) }()
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
		select {
		case <-done:
		case <-sig:
		}
	}
	var errs []error
	for _, c := range conns {
		errs = append(errs, c.Close())
	}
	return errors.Join(errs...)
}

// echoOnce writes 64 bytes and reads their echo.
func echoOnce(c net.Conn) error {
	msg := make([]byte, 64)
	for i := range msg {
		msg[i] = 'i'
	}
	if _, err := c.Write(msg); err != nil {
		return err
	}
	_, err := io.ReadFull(c, msg)
	return err
}

// getOnce sends GET / and reads the whole response, which must be a 200
// that keeps the connection open.
func getOnce(c net.Conn) error {
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: "+c.RemoteAddr().String()+"\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	switch {
	case err != nil:
		return err
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("GET /: %s", resp.Status)
	case resp.Close:
		return errors.New("GET /: the server closes the connection after the response")
	}
	return nil
}

// wsOnce upgrades c to WebSocket and has one 64-byte binary message
// echoed, which leaves an idle WebSocket connection.
func wsOnce(c net.Conn) error {
	if err := wsHandshake(c, c.RemoteAddr().String()); err != nil {
		return err
	}
	var key [4]byte
	rand.Read(key[:])
	if _, err := c.Write(wsClientFrame(wsBinary, make([]byte, 64), key)); err != nil {
		return err
	}
	a := wsAnswer{size: 64}
	buf := make([]byte, 256)
	for {
		k, err := c.Read(buf)
		if err != nil {
			return err
		}
		if done, err := a.feed(buf[:k]); done || err != nil {
			return err
		}
	}
}
