package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// httpLagConfig is the http-lag subcommand's flags.
type httpLagConfig struct {
	n      int           // requests, each in a task of its own
	limit  int           // the session's Limit; 0: no bound
	server string        // "aiohttp": on the client's loop; "nethttp": net/http in this process
	tick   time.Duration // the ticker's period
	// batch, if not 0, spawns the tasks batch at a time, letting the
	// loop go round between batches; 0 spawns them all at once.
	batch int
}

// httpLag asks whether a loop making many HTTP requests at once stays
// responsive: inside asyncio.Run it serves GET / locally, starts a task
// that ticks every cfg.tick and measures how late each tick wakes, then
// spawns cfg.n tasks that each make one GET with one shared Session (all
// at once, or cfg.batch at a time), and waits for them all. It reports the ticker's worst and 99th-percentile
// lateness, the loop's own timer lag (Loop.Lag), the slowest steps the
// watchdog saw (Loop.Stalls), the successes and the elapsed time.
//
// With server "nethttp" the server is net/http's, in goroutines of this
// process: it then competes with the loop for the CPU but not for the
// loop itself.
func httpLag(cfg httpLagConfig) (map[string]any, error) {
	var url string
	switch cfg.server {
	case "aiohttp":
	case "nethttp":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: httpHandler()}
		// The server's goroutine belongs to this function: Close ends
		// Serve, and done is awaited before returning.
		done := make(chan struct{})
		go func() { srv.Serve(ln); close(done) }()
		defer func() { srv.Close(); <-done }()
		url = "http://" + ln.Addr().String() + "/"
	default:
		return nil, fmt.Errorf("http-lag: unknown -server %q (aiohttp or nethttp)", cfg.server)
	}
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		l := asyncio.RunningLoop(ctx)
		if cfg.server == "aiohttp" {
			srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", httpHandler(), aiohttp.WithSocketOptions(asyncio.Backlog(4096)))
			if err != nil {
				return nil, err
			}
			defer srv.Close()
			url = "http://" + srv.Addr().String() + "/"
		}
		s := aiohttp.NewSession(aiohttp.Limit(cfg.limit))
		defer s.Close(ctx)

		var lateness []time.Duration
		stop := false
		ticker := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			next := l.Time()
			for !stop {
				next += cfg.tick
				if err := asyncio.Sleep(ctx, next-l.Time()); err != nil {
					return struct{}{}, err
				}
				late := l.Time() - next
				lateness = append(lateness, late)
				if late > cfg.tick {
					next = l.Time() // a late tick does not make the next ones late too
				}
			}
			return struct{}{}, nil
		}, asyncio.Name("ticker"))

		var ok, failed int
		var firstErr error
		get := func(ctx context.Context) (struct{}, error) {
			resp, err := s.Get(ctx, url)
			if err == nil {
				_, err = resp.Bytes(ctx)
				if err == nil && resp.StatusCode != http.StatusOK {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
			}
			if err != nil {
				failed++
				if firstErr == nil {
					firstErr = err
				}
				return struct{}{}, nil
			}
			ok++
			return struct{}{}, nil
		}
		t0 := time.Now()
		tasks := make([]*asyncio.Task[struct{}], cfg.n)
		for i := range tasks {
			if cfg.batch > 0 && i > 0 && i%cfg.batch == 0 {
				// Every task spawned so far runs its first step before
				// this returns; the ticker gets its turn in between.
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return nil, err
				}
			}
			tasks[i] = asyncio.Spawn(ctx, get)
		}
		// Every task has run its first step, up to its first wait, once
		// this returns: the loop's longest turn when they were spawned
		// at once.
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return nil, err
		}
		spawned := time.Since(t0)
		for _, t := range tasks {
			if _, err := t.Wait(ctx); err != nil {
				return nil, err
			}
		}
		elapsed := time.Since(t0)
		stop = true
		if _, err := ticker.Wait(ctx); err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}

		slices.Sort(lateness)
		lag := l.Lag()
		out := map[string]any{
			"n": cfg.n, "limit": cfg.limit, "batch": cfg.batch, "server": cfg.server, "ok": ok, "failed": failed,
			"elapsed_ms": ms(elapsed), "first_steps_ms": ms(spawned), "req_per_s": float64(ok) / elapsed.Seconds(),
			"ticks": len(lateness), "tick_ms": ms(cfg.tick),
			"tick_late_max_ms": ms(quantile(lateness, 1)), "tick_late_p99_ms": ms(quantile(lateness, 0.99)),
			"tick_late_p50_ms": ms(quantile(lateness, 0.5)),
			"loop_lag_max_ms":  ms(lag.Max), "loop_lag_timers": lag.Count,
		}
		if _, slowest := l.Stalls(); len(slowest) > 0 {
			var stalls []string
			for _, st := range slowest[:min(3, len(slowest))] {
				what := st.Task + st.Callback
				if what == "" {
					what = "(loop)"
				}
				stalls = append(stalls, fmt.Sprintf("%s %.1fms %s", what, ms(st.Duration), st.Kind))
			}
			out["stalls"] = stalls
		}
		if firstErr != nil {
			out["first_error"] = firstErr.Error()
		}
		return out, nil
	})
}

// quantile returns the q-quantile of sorted (0 if it is empty).
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(q*float64(len(sorted)-1) + 0.5)
	return sorted[min(i, len(sorted)-1)]
}
