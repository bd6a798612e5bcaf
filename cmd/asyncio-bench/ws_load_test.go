//go:build linux

package main

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// wsEchoListener serves a minimal WebSocket echo on the loopback, written
// for these tests from RFC 6455: it upgrades with the accept key that
// accept computes from the client's key, and answers each masked frame
// with the unmasked payload in two binary fragments (a single frame is the
// common case; two exercise the client's reassembly too). It returns the
// address and a function that closes the listener and every connection,
// and waits for their goroutines.
func wsEchoListener(t *testing.T, accept func(string) string) (string, func()) {
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
	serve := func(c net.Conn) {
		br := bufio.NewReader(c)
		r, err := http.ReadRequest(br)
		if err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
			"Sec-WebSocket-Accept: "+accept(r.Header.Get("Sec-WebSocket-Key"))+"\r\n\r\n")
		var hdr [8]byte
		for {
			if _, err := io.ReadFull(br, hdr[:2]); err != nil {
				return
			}
			n := int(hdr[1] & 0x7f)
			if n == 126 {
				if _, err := io.ReadFull(br, hdr[:2]); err != nil {
					return
				}
				n = int(binary.BigEndian.Uint16(hdr[:2]))
			}
			var key [4]byte
			p := make([]byte, n)
			if _, err := io.ReadFull(br, key[:]); err != nil {
				return
			}
			if _, err := io.ReadFull(br, p); err != nil {
				return
			}
			for i := range p {
				p[i] ^= key[i&3]
			}
			// Lengths up to 125 in one byte are enough for these tests.
			h := len(p) / 2
			out := append([]byte{0x02, byte(h)}, p[:h]...)
			out = append(append(out, 0x80, byte(len(p)-h)), p[h:]...)
			if _, err := c.Write(out); err != nil {
				return
			}
		}
	}
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
				serve(c)
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

func TestWSLoadCountsRoundTrips(t *testing.T) {
	addr, stop := wsEchoListener(t, wsAccept)
	defer stop()
	out, err := wsLoad(loadConfig{addr: addr, conns: 4, size: 64, duration: 100 * time.Millisecond, pid: os.Getpid()})
	if err != nil {
		t.Fatal(err)
	}
	if n := out["round_trips"].(int); n < 1 {
		t.Errorf("round_trips = %d, want some", n)
	}
	if out["proto"] != "ws" {
		t.Errorf("proto = %v, want ws", out["proto"])
	}
	if _, ok := out["server_cpu_pct"]; !ok {
		t.Error("no server_cpu_pct with a pid")
	}
}

func TestWSLoadRefusesWrongAccept(t *testing.T) {
	addr, stop := wsEchoListener(t, func(key string) string { return wsAccept(key + "x") })
	defer stop()
	_, err := wsLoad(loadConfig{addr: addr, conns: 1, size: 64, duration: time.Second})
	if err == nil || !strings.Contains(err.Error(), "Sec-WebSocket-Accept") {
		t.Fatalf("err = %v, want one about Sec-WebSocket-Accept", err)
	}
}

// wsOnce, idleclient -proto ws's exchange, leaves the connection open.
func TestWSOnce(t *testing.T) {
	addr, stop := wsEchoListener(t, wsAccept)
	defer stop()
	c, err := net.Dial("tcp4", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	if err := wsOnce(c); err != nil {
		t.Fatal(err)
	}
	if n := stillOpen([]net.Conn{c}); n != 1 {
		t.Errorf("stillOpen after wsOnce = %d, want 1", n)
	}
}
