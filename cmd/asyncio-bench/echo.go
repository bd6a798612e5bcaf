//go:build unix

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/asyncio-go/asyncio"
)

// echoConfig is the echo subcommand's flags.
type echoConfig struct {
	api, addr string
	// backend is the loop's I/O backend: "poller", "portable", or "" for
	// asyncio.DefaultIOBackend() (which the ASYNCIOBACKEND variable sets).
	backend string
	// memprofile, if set, makes SIGUSR1 take a memory snapshot: a GC, one
	// JSON line of memory statistics on stderr, and a heap profile written
	// to memprofile.N (N = 1, 2, ...). See memSnapshot.
	memprofile string
}

// echoServer serves bench/run.sh's echo and idle-mem workloads: every
// byte read is written back, with the streams API (a task per connection,
// StreamReader.Read and StreamWriter.Write+Drain) or the protocol API (a
// Protocol whose DataReceived writes to its Transport). It runs until
// SIGTERM, which bench/run.sh sends to stop it.
func echoServer(cfg echoConfig) error {
	var opts []asyncio.Option
	switch cfg.backend {
	case "":
	case string(asyncio.BackendPoller), string(asyncio.BackendPortable):
		opts = append(opts, asyncio.WithIOBackend(asyncio.IOBackend(cfg.backend)))
	default:
		return fmt.Errorf("unknown backend %q (have poller, portable)", cfg.backend)
	}
	opts = append(opts, asyncio.WithInterruptHandling(false))
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		main := asyncio.CurrentTask(ctx)
		loop.AddSignalHandler(syscall.SIGTERM, func() { main.Cancel() })
		if cfg.memprofile != "" {
			snaps := 0
			loop.AddSignalHandler(syscall.SIGUSR1, func() {
				snaps++
				memSnapshot(fmt.Sprintf("%s.%d", cfg.memprofile, snaps), loop)
			})
		}
		var srv *asyncio.Server
		var err error
		switch cfg.api {
		case "streams":
			srv, err = asyncio.StartServer(ctx, cfg.addr, echoStream, asyncio.Backlog(4096))
		case "protocol":
			srv, err = asyncio.CreateServer(ctx, "tcp", cfg.addr, func() asyncio.Protocol { return &echoProtocol{} }, asyncio.Backlog(4096))
		default:
			usage()
		}
		if err != nil {
			return struct{}{}, err
		}
		srv.ServeForever(ctx)
		srv.AbortClients()
		return struct{}{}, nil
	}, opts...)
	if errors.Is(err, context.Canceled) { // SIGTERM
		return nil
	}
	return err
}

// liveConns counts the connections being served (for memSnapshot); it is
// only touched on the loop.
var liveConns int

func echoStream(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	liveConns++
	defer func() { liveConns-- }()
	for {
		data, err := r.Read(ctx, 64<<10)
		if err != nil {
			return err // io.EOF once the client is done: no failure
		}
		w.Write(data)
		if err := w.Drain(ctx); err != nil {
			return err
		}
	}
}

type echoProtocol struct {
	asyncio.BaseProtocol
	t asyncio.Transport
}

func (p *echoProtocol) ConnectionMade(t asyncio.Transport) { p.t = t; liveConns++ }
func (p *echoProtocol) DataReceived(b []byte)              { p.t.Write(b) }
func (p *echoProtocol) ConnectionLost(error)               { liveConns-- }

// memSnapshot runs on the loop: it collects garbage, writes a heap profile
// to file (inuse_space is exact with -memprofilerate 1) and prints one JSON
// line on stderr with the connections served, the goroutines, MemStats'
// main fields, VmRSS, and every /memory/classes/ metric of runtime/metrics.
// bench/idle_mem.py takes two snapshots, before and after opening idle
// connections, and divides the differences by the connections.
func memSnapshot(file string, loop *asyncio.Loop) {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	out := map[string]any{
		"conns": liveConns, "goroutines": runtime.NumGoroutine(), "backend": string(loop.IOBackend()),
		"heap_alloc": m.HeapAlloc, "heap_inuse": m.HeapInuse, "heap_objects": m.HeapObjects,
		"heap_idle": m.HeapIdle, "heap_released": m.HeapReleased, "stack_inuse": m.StackInuse,
		"mspan_inuse": m.MSpanInuse, "gc_sys": m.GCSys, "other_sys": m.OtherSys, "sys": m.Sys,
		"rss_kb": rssKB(), "profile": file, "memprofilerate": runtime.MemProfileRate,
	}
	var samples []metrics.Sample
	for _, d := range metrics.All() {
		if strings.HasPrefix(d.Name, "/memory/classes/") && d.Kind == metrics.KindUint64 {
			samples = append(samples, metrics.Sample{Name: d.Name})
		}
	}
	metrics.Read(samples)
	for _, s := range samples {
		out[strings.TrimSuffix(strings.TrimPrefix(s.Name, "/memory/classes/"), ":bytes")] = s.Value.Uint64()
	}
	if f, err := os.Create(file); err != nil {
		out["error"] = err.Error()
	} else {
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			out["error"] = err.Error()
		}
		f.Close()
	}
	line, _ := json.Marshal(out)
	fmt.Fprintln(os.Stderr, string(line))
}
