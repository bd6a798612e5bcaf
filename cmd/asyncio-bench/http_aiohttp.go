//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

const httpAvailable = true

func httpServer(cfg httpServerConfig) error {
	return serveUntilTerm(cfg.addr, httpHandler(), aiohttp.Workers(cfg.workers))
}

func httpClient(cfg httpClientConfig) (map[string]any, error) {
	if cfg.idle > 0 {
		return httpClientIdle(cfg)
	}
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		// A connection per task at most, as the other peers' pools
		// (aiohttp's TCPConnector(limit=tasks)).
		s := aiohttp.NewSession(aiohttp.Limit(cfg.tasks))
		defer s.Close(ctx)
		var ok, failed int
		var firstErr error
		stop := false
		get := func(ctx context.Context) error {
			resp, err := s.Get(ctx, cfg.url)
			if err != nil {
				return err
			}
			if _, err := resp.Bytes(ctx); err != nil {
				return err
			}
			if resp.StatusCode != 200 {
				return fmt.Errorf("status %d", resp.StatusCode)
			}
			return nil
		}
		worker := func(ctx context.Context) (struct{}, error) {
			for !stop {
				if err := get(ctx); err != nil {
					if ctx.Err() != nil {
						return struct{}{}, nil
					}
					failed++
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				ok++
			}
			return struct{}{}, nil
		}
		workers := make([]*asyncio.Task[struct{}], cfg.tasks)
		for i := range workers {
			workers[i] = asyncio.Spawn(ctx, worker)
		}
		if err := asyncio.Sleep(ctx, cfg.warmup); err != nil {
			return nil, err
		}
		n0, e0, t0, cpu0, srv0 := ok, failed, time.Now(), selfCPU(), procTicks(cfg.pid)
		if err := asyncio.Sleep(ctx, cfg.duration); err != nil {
			return nil, err
		}
		n1, e1, t1, cpu1, srv1 := ok, failed, time.Now(), selfCPU(), procTicks(cfg.pid)
		stop = true
		for _, w := range workers {
			if _, err := w.Wait(ctx); err != nil {
				return nil, err
			}
		}
		n, secs := n1-n0, t1.Sub(t0).Seconds()
		if n == 0 {
			return nil, fmt.Errorf("no response in the window; first error: %v", firstErr)
		}
		out := map[string]any{
			"tasks": cfg.tasks, "requests": n, "seconds": secs, "req_per_s": float64(n) / secs, "errors": e1 - e0,
			"cpu_pct": 100 * (cpu1 - cpu0).Seconds() / secs, "cpu_us_per_req": float64((cpu1 - cpu0).Microseconds()) / float64(n),
		}
		if cfg.pid > 0 {
			out["server_cpu_pct"] = float64(srv1-srv0) / secs
		}
		if firstErr != nil {
			out["first_error"] = firstErr.Error()
		}
		return out, nil
	})
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func httpClientIdle(cfg httpClientConfig) (map[string]any, error) {
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		// Room for every request at once, as the other peers' pools
		// (aiohttp's TCPConnector(limit=n)): the default limit, 100,
		// would queue the rest.
		s := aiohttp.NewSession(aiohttp.Limit(cfg.idle))
		defer s.Close(ctx)
		get := func(ctx context.Context) (struct{}, error) {
			resp, err := s.Get(ctx, cfg.url)
			if err != nil {
				return struct{}{}, err
			}
			if _, err := resp.Bytes(ctx); err != nil {
				return struct{}{}, err
			}
			if resp.StatusCode != 200 {
				return struct{}{}, fmt.Errorf("status %d", resp.StatusCode)
			}
			return struct{}{}, nil
		}
		const settle = 1500 * time.Millisecond
		if _, err := get(ctx); err != nil {
			return nil, err
		}
		if err := asyncio.Sleep(ctx, settle); err != nil {
			return nil, err
		}
		rss0, fds0 := rssKB(), openFDs()
		tasks := make([]*asyncio.Task[struct{}], cfg.idle)
		for i := range tasks {
			tasks[i] = asyncio.Spawn(ctx, get)
		}
		for _, t := range tasks {
			if _, err := t.Wait(ctx); err != nil {
				return nil, err
			}
		}
		if err := asyncio.Sleep(ctx, settle); err != nil {
			return nil, err
		}
		rss1, fds1 := rssKB(), openFDs()
		opened := fds1 - fds0
		if opened <= 0 {
			return nil, fmt.Errorf("no connection opened (%d requests at once)", cfg.idle)
		}
		return map[string]any{
			"n": cfg.idle, "opened": opened, "rss0_kb": rss0, "rss1_kb": rss1,
			"bytes_per_conn": float64(rss1-rss0) * 1024 / float64(opened),
		}, nil
	})
}

func openFDs() int {
	fds, _ := os.ReadDir("/proc/self/fd")
	return len(fds)
}
