package main

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// httpClientLoad is the net/http side of bench/run.sh's http-client
// workload: tasks goroutines share one http.Client whose pool keeps up to
// tasks idle keep-alive connections, and each GETs url again and again,
// reading the whole body. It counts the responses that arrive in the
// window of length duration that follows warmup, and the CPU time this
// process and the server (pid, from /proc; 0: not measured) used in it.
func httpClientLoad(url string, tasks int, warmup, duration time.Duration, pid int) (map[string]any, error) {
	tr := &http.Transport{MaxIdleConns: tasks, MaxIdleConnsPerHost: tasks}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	var done, failed atomic.Int64
	var firstErr atomic.Value
	var stop atomic.Bool
	var wg sync.WaitGroup
	for range tasks {
		wg.Add(1)
		// Each ends once stop is set and its request is back.
		go func() {
			defer wg.Done()
			for !stop.Load() {
				if err := get(client, url); err != nil {
					failed.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				done.Add(1)
			}
		}()
	}
	time.Sleep(warmup)
	n0, e0, t0, cpu0, srv0 := done.Load(), failed.Load(), time.Now(), selfCPU(), procTicks(pid)
	time.Sleep(duration)
	n1, e1, t1, cpu1, srv1 := done.Load(), failed.Load(), time.Now(), selfCPU(), procTicks(pid)
	stop.Store(true)
	wg.Wait()
	n, secs := n1-n0, t1.Sub(t0).Seconds()
	if n == 0 {
		return nil, fmt.Errorf("no response in the window; first error: %v", firstErr.Load())
	}
	out := map[string]any{
		"tasks": tasks, "requests": n, "seconds": secs, "req_per_s": float64(n) / secs, "errors": e1 - e0,
		"cpu_pct": 100 * (cpu1 - cpu0).Seconds() / secs, "cpu_us_per_req": float64((cpu1 - cpu0).Microseconds()) / float64(n),
	}
	if pid > 0 {
		// /proc counts in clock ticks of 1/100 s (USER_HZ on Linux).
		out["server_cpu_pct"] = float64(srv1-srv0) / secs
	}
	if e := firstErr.Load(); e != nil {
		out["first_error"] = e
	}
	return out, nil
}

// get fetches url and reads the whole body into memory, as the other
// peers' clients do.
func get(c *http.Client, url string) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	_, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("status %s", resp.Status)
	}
	return err
}

// selfCPU returns the user and system CPU time this process has used.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procTicks returns the user and system CPU time of process pid in clock
// ticks, or 0 if pid is 0 or unreadable.
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

// httpClientIdle is the net/http side of bench/run.sh's
// http-client-idle-mem workload: one GET, then n at once, so that the
// pool holds n idle keep-alive connections; it reports the growth of
// VmRSS over the connections that opened (counted as the growth of the
// open file descriptors), each read after a settling time.
func httpClientIdle(url string, n int, settle time.Duration) (map[string]any, error) {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	if err := get(client, url); err != nil {
		return nil, err
	}
	time.Sleep(settle)
	rss0, fds0 := vmrssKB(), openFDs()
	errs := make(chan error, n)
	for range n {
		go func() { errs <- get(client, url) }()
	}
	for range n {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	time.Sleep(settle)
	rss1, fds1 := vmrssKB(), openFDs()
	opened := fds1 - fds0
	if opened <= 0 {
		return nil, fmt.Errorf("no connection opened (%d requests at once)", n)
	}
	return map[string]any{
		"n": n, "opened": opened, "rss0_kb": rss0, "rss1_kb": rss1,
		"bytes_per_conn": float64(rss1-rss0) * 1024 / float64(opened),
	}, nil
}

// openFDs counts this process's open file descriptors.
func openFDs() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	return len(fds)
}
