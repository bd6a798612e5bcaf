//go:build linux

package main

import (
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// echoListener serves TCP on the loopback: each read is written back,
// with extra bytes more in the same write. It returns the address and a function that closes the
// listener and every connection, and waits for their goroutines.
func echoListener(t *testing.T, extra int) (string, func()) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		conns []net.Conn
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				buf := make([]byte, 4096)
				for {
					k, err := c.Read(buf[:len(buf)-extra])
					if err != nil {
						return
					}
					if _, err := c.Write(buf[:k+extra]); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String(), func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}
}

func TestLoadEchoCountsRoundTrips(t *testing.T) {
	addr, stop := echoListener(t, 0)
	defer stop()
	out, err := loadEcho(loadConfig{addr: addr, conns: 4, size: 64, duration: 100 * time.Millisecond, pid: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if n := out["round_trips"].(int); n < 1 {
		t.Errorf("round_trips = %d, want some", n)
	}
	if out["p50_us"].(float64) > out["p99_us"].(float64) {
		t.Errorf("p50 %v µs above p99 %v µs", out["p50_us"], out["p99_us"])
	}
	if _, ok := out["server_cpu_pct"]; !ok {
		t.Error("no server_cpu_pct with a pid")
	}
}

// A server that sends back more than it got is not an echo server: the
// generator must say so rather than count round trips. (Even if the
// 65-byte answers were split, the surplus would add up to more than a
// message within two round trips.)
func TestLoadEchoRejectsLongEcho(t *testing.T) {
	addr, stop := echoListener(t, 1)
	defer stop()
	_, err := loadEcho(loadConfig{addr: addr, conns: 1, size: 64, duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "bytes back") {
		t.Fatalf("err = %v, want one about the bytes back", err)
	}
}
