//go:build linux

package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// loadConfig is the flags of the load and ws-load subcommands.
type loadConfig struct {
	addr             string
	conns, size      int
	warmup, duration time.Duration
	pid              int // the server's, for its CPU time; 0: not measured
}

// loadProtocol is what each connection of runLoad's closed loop says.
type loadProtocol struct {
	// open, if set, runs on connection i's socket, still blocking, before
	// the load starts: the WebSocket handshake.
	open func(i, fd int) error
	// request is the bytes connection i writes for each round trip.
	request func(i int) []byte
	// answer takes bytes read on connection i and reports whether they
	// end the answer to its request; bytes past that end are an error.
	answer func(i int, b []byte) (bool, error)
}

// loadEcho is the load generator of bench/run.sh's echo workload: conns
// connections to a TCP echo server, each with one message of size bytes in
// flight (closed loop: the next message leaves when the whole echo of the
// last is back). See runLoad for how it drives them and what it measures.
func loadEcho(cfg loadConfig) (map[string]any, error) {
	if cfg.conns < 1 || cfg.size < 1 {
		return nil, errors.New("load: -c and -size must be at least 1")
	}
	msg := make([]byte, cfg.size)
	for i := range msg {
		msg[i] = byte('a' + i%26)
	}
	got := make([]int, cfg.conns) // bytes of the current echo received
	return runLoad(cfg, loadProtocol{
		request: func(int) []byte { return msg },
		answer: func(i int, b []byte) (bool, error) {
			if got[i] += len(b); got[i] < cfg.size {
				return false, nil
			}
			if got[i] > cfg.size {
				return false, fmt.Errorf("%d bytes back for a %d-byte message", got[i], cfg.size)
			}
			got[i] = 0
			return true, nil
		},
	})
}

// runLoad runs a closed loop on cfg.conns connections to cfg.addr: each
// writes p.request, reads until p.answer says the answer is whole, and
// starts again. It drives raw non-blocking sockets through one
// level-triggered epoll instance on the calling goroutine, without the
// library under test, so that it costs the same against every server: one
// read and one write per round trip at these sizes. It counts the round
// trips that end in the window that follows the warm-up, their latency,
// and the CPU time the server (from /proc/PID/stat) and the generator
// itself used in it.
func runLoad(cfg loadConfig, p loadProtocol) (map[string]any, error) {
	ta, err := net.ResolveTCPAddr("tcp4", cfg.addr)
	if err != nil {
		return nil, err
	}
	sa := &unix.SockaddrInet4{Port: ta.Port}
	copy(sa.Addr[:], ta.IP.To4())

	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer unix.Close(ep)
	fds := make([]int, 0, cfg.conns)
	defer func() {
		for _, fd := range fds {
			unix.Close(fd)
		}
	}()
	for i := range cfg.conns {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return nil, err
		}
		fds = append(fds, fd)
		if err := unix.Connect(fd, sa); err != nil {
			return nil, fmt.Errorf("connection %d: %w", i, err)
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if p.open != nil {
			if err := p.open(i, fd); err != nil {
				return nil, fmt.Errorf("connection %d: %w", i, err)
			}
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			return nil, err
		}
		ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(i)}
		if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
			return nil, err
		}
	}

	buf := make([]byte, max(cfg.size+64, 64<<10))
	sent := make([]time.Time, cfg.conns) // when the current request left
	send := func(i int) error {
		msg := p.request(i)
		for off := 0; off < len(msg); {
			k, err := unix.Write(fds[i], msg[off:])
			switch {
			case err == unix.EAGAIN:
				// The socket buffer is full; with one message in flight
				// per connection this does not happen at these sizes.
				continue
			case err != nil:
				return err
			}
			off += k
		}
		return nil
	}

	start := time.Now()
	measureFrom, measureTo := start.Add(cfg.warmup), start.Add(cfg.warmup+cfg.duration)
	for i := range fds {
		sent[i] = time.Now()
		if err := send(i); err != nil {
			return nil, err
		}
	}
	var (
		measuring         bool
		lat               []time.Duration
		srv0              int64
		self0, selfEnd    unix.Rusage
		windowStart, last time.Time
	)
	events := make([]unix.EpollEvent, 256)
	for {
		now := time.Now()
		if !measuring && !now.Before(measureFrom) {
			measuring, windowStart = true, now
			srv0 = procTicks(cfg.pid)
			unix.Getrusage(unix.RUSAGE_SELF, &self0)
		}
		if !now.Before(measureTo) {
			last = now
			break
		}
		n, err := unix.EpollWait(ep, events, 100)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, ev := range events[:n] {
			i := int(ev.Fd)
			k, err := unix.Read(fds[i], buf)
			if err == unix.EAGAIN {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("connection %d: %w", i, err)
			}
			if k == 0 {
				return nil, fmt.Errorf("connection %d: closed by the server", i)
			}
			done, err := p.answer(i, buf[:k])
			if err != nil {
				return nil, fmt.Errorf("connection %d: %w", i, err)
			}
			if !done {
				continue
			}
			t := time.Now()
			if measuring {
				lat = append(lat, t.Sub(sent[i]))
			}
			sent[i] = t
			if err := send(i); err != nil {
				return nil, err
			}
		}
	}
	srv1 := procTicks(cfg.pid)
	unix.Getrusage(unix.RUSAGE_SELF, &selfEnd)
	window := last.Sub(windowStart).Seconds()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return 0
		}
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Nanoseconds()) / 1e3
	}
	cpu := func(a, b unix.Timeval) float64 { return float64(b.Nano()-a.Nano()) / 1e9 }
	out := map[string]any{
		"conns": cfg.conns, "size": cfg.size, "round_trips": len(lat), "seconds": window,
		"rt_per_s": float64(len(lat)) / window, "p50_us": pct(0.50), "p99_us": pct(0.99),
		"load_cpu_pct": 100 * (cpu(self0.Utime, selfEnd.Utime) + cpu(self0.Stime, selfEnd.Stime)) / window,
	}
	if cfg.pid > 0 {
		// /proc counts in clock ticks of 1/100 s (USER_HZ on Linux).
		out["server_cpu_pct"] = float64(srv1-srv0) / window
	}
	return out, nil
}

// procTicks returns the user and system CPU time of process pid, in
// clock ticks, or 0 if pid is 0 or unreadable.
func procTicks(pid int) int64 {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from the last ')'. utime and stime are fields 14 and 15.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}
