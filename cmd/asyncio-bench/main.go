// Command asyncio-bench is this library's side of the benchmarks in bench/
// (bench/run.sh), and their load generator. Each workload runs on an
// asyncio loop and prints one JSON line with the same fields as the Python,
// Node and Go peers in bench/peers, so that bench/run.sh can put it in the
// same table.
//
//	asyncio-bench spawn  -n 1000000               N tasks, each does one Sleep(ctx, 0); await them all
//	asyncio-bench switch -tasks 1000 -total 1000000  tasks share total Sleep(ctx, 0) calls
//	asyncio-bench callsoon -chains 1000 -n 1000000   chains of CallSoon callbacks, each scheduling the next, n in all
//	asyncio-bench timers -n 1000000 -maxms 1000   N CallLater callbacks, delays uniform integer ms in [0, maxms]
//	asyncio-bench floor  -kind goroutine|iter.Pull -n 100000   live memory of N suspended goroutines or coroutines
//	asyncio-bench handoff -prim lock|semaphore|event -n 200000   hand-offs between two tasks (coord.go)
//	asyncio-bench queue -producers 1 -consumers 1 -maxsize 1 -n 200000   items through a Queue (coord.go)
//	asyncio-bench tothread -n 50000               ToThread round trips (coord.go)
//	    (these three take -warmup W: W ops first, untimed, on the same loop)
//	asyncio-bench proc-spawn -n 500 | proc-pipe -n MIB | file-read -n MIB   subprocesses and files (proc.go)
//	asyncio-bench echo -api streams|protocol -addr 127.0.0.1:PORT [-backend poller|portable]
//	    TCP echo server until SIGTERM (echo.go); -memprofile FILE: SIGUSR1 takes a
//	    memory snapshot (bench/idle_mem.py)
//	asyncio-bench ws-server -addr 127.0.0.1:PORT [-onmessage]
//	    WebSocket echo server (package aiohttp) until SIGTERM (ws_aiohttp.go):
//	    the handler's task loops on Receive, or with -onmessage the messages
//	    go to WebSocket.OnMessage and an idle connection holds no task
//	asyncio-bench http-server -addr 127.0.0.1:PORT [-workers N]
//	    HTTP/1.1 server on package aiohttp until SIGTERM: GET / and GET /json
//	    (httphandler.go), served by N loops
//	asyncio-bench api-server -addr 127.0.0.1:PORT -impl typed|hand [-nethttp]
//	    HTTP/1.1 server until SIGTERM: POST /items/{id}?limit=N with a JSON
//	    order, answered with a JSON receipt (internal/apibench), written as an
//	    operation of package aiohttp/api (typed) or as a plain handler
//	    (hand), on package aiohttp's server or, with -nethttp, net/http's
//	asyncio-bench http-client -url URL -c 100 -warmtime 500ms -duration 2s [-pid PID]
//	    c tasks GET url again and again on one aiohttp Session: requests per
//	    second in the window after the warm-up, this process's and the
//	    server's CPU time; -idle N instead: one GET, then N at once, and the
//	    VmRSS growth per connection that opened (file descriptors), with the
//	    pool holding them idle
//	    (both: -check exits 0 if this build has them; a build for another
//	    system than Linux does not, and they exit with status 3, see
//	    http_other.go)
//	asyncio-bench db-roundtrip -url URL -c 10 [-pool P] -warmtime 500ms -duration 2s
//	    c tasks run SELECT 1 on one package db pool of P connections
//	    (default min(c, 20)): queries per second in the window after the
//	    warm-up, and this process's CPU time (db.go)
//	asyncio-bench db-fetch -url URL -n 1000000   one query streams n rows of
//	    five columns (db.Rows): rows per second, bytes allocated per row
//	asyncio-bench db-copy -url URL -n 1000000    n rows copied into a table
//	    (Pool.CopyFrom): rows per second, bytes allocated per row
//	asyncio-bench db-sqlite-read -file FILE -c 10 [-pool P] -warmtime 500ms -duration 2s
//	    c tasks read a row by primary key from FILE (made by
//	    bench/peers/db_sqlite_setup.py) again and again
//	asyncio-bench db-sqlite-insert -file FILE -n 100000 -tx 1000
//	    n single-row inserts, tx per transaction (Pool.Tx)
//	    (all five: the flags of bench/peers/godb; -check as above)
//	asyncio-bench jobs -url URL -n 100000 -workers W [-broker-pid PID] [-keep-results]
//	    one producer enqueues n no-op jobs with package jobs while W worker
//	    processes (this program again, as the hidden jobs-worker) run them
//	    with jobs.Worker: jobs per second from the first Enqueue to the
//	    queue's stream empty, and the CPU time of the producer, the
//	    workers and, with -broker-pid, the NATS server (jobs.go; the
//	    method and fields of bench/peers/gojobs). The workers keep no
//	    results unless -keep-results; -concurrency and -prefetch are their
//	    jobs.Concurrency and jobs.PrefetchJobs, -inflight the Enqueues in
//	    flight. -check exits 0 if NATS answers at -url
//	asyncio-bench http-lag -n 10000 -limit 100 -server aiohttp|nethttp -tick 5ms [-batch B]
//	    n tasks each GET a local server once on one Session, while a task
//	    ticks every 5 ms: its worst and p99 lateness, Loop.Lag, Loop.Stalls
//	    (httplag.go); the server runs on the same loop (aiohttp) or is
//	    net/http in this process
//
// and the clients, which do not use the library:
//
//	asyncio-bench load -addr 127.0.0.1:PORT -c 100 -size 64 -warmtime 500ms -duration 2s [-pid PID]
//	    closed-loop load on an echo server: round trips per second, latency
//	    percentiles, the server's CPU time (load.go; Linux)
//	asyncio-bench ws-load -addr 127.0.0.1:PORT -c 100 -size 64 -warmtime 500ms -duration 2s [-pid PID]
//	    the same over WebSocket: upgrades each connection, then one binary
//	    message of size bytes in flight on each, echoed (ws_load.go; Linux)
//	asyncio-bench idleclient -addr 127.0.0.1:PORT -n 10000 [-pid PID | -hold] [-proto http|ws]
//	    opens n connections, one 64 B echo (-proto http: one GET /; -proto
//	    ws: an upgrade and one 64 B WebSocket message echoed) on each; with
//	    -pid, the server's VmRSS growth per connection (idleclient.go)
//
// floor is not a peer workload: it measures, in a fresh process, the
// memory floor a task cannot go below (a goroutine, or an iter.Pull
// coroutine, suspended), for comparison with spawn -mem.
//
// Timing starts once the process is up and stops when the workload is done;
// rss0_kb is VmRSS just before the workload. Run it under taskset -c N, as
// bench/run.sh does: the Go runtime then sets GOMAXPROCS=1, like the
// single-threaded peers.
//
// Two flags are for diagnosis; bench/run.sh does not use them. -cpuprofile
// FILE writes a CPU profile of the workload. -mem adds the live memory per
// task or timer (heap_b_per_op, stack_b_per_op: the growth of HeapInuse and
// StackInuse since just before the workload, after a GC), taken once every
// task is suspended or every timer is scheduled. spawn leaves that pause out
// of wall_ns; the timers' total_ms includes it and is then not comparable.
// echo -memprofile FILE makes SIGUSR1 take a memory snapshot of the server
// (a GC, memory statistics on stderr, a heap profile in FILE.N;
// -memprofilerate 1 records every allocation): bench/idle_mem.py uses it
// with idleclient to break down the memory of idle connections.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"iter"
	"maps"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/internal/servicetest"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	n := fs.Int("n", 1000000, "spawn: tasks; timers: timers; handoff, queue, tothread: ops; idleclient: connections; db-fetch, db-copy, db-sqlite-insert: rows")
	tasks := fs.Int("tasks", 1, "switch: concurrent tasks")
	total := fs.Int("total", 1000000, "switch: total Sleep(ctx, 0) calls, shared by the tasks")
	maxms := fs.Int("maxms", 1000, "timers: max delay in ms (uniform integer ms in [0,maxms])")
	seed := fs.Int64("seed", 42, "timers: seed of the delays")
	kind := fs.String("kind", "iter.Pull", "floor: goroutine|iter.Pull")
	prim := fs.String("prim", "lock", "handoff: lock|semaphore|event")
	producers := fs.Int("producers", 1, "queue: producer tasks")
	consumers := fs.Int("consumers", 1, "queue: consumer tasks")
	maxsize := fs.Int("maxsize", 0, "queue: capacity (0 = unbounded)")
	warmup := fs.Int("warmup", 0, "handoff, queue, tothread: ops run first, untimed, on the same loop")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the workload to this file")
	api := fs.String("api", "streams", "echo: streams|protocol")
	addr := fs.String("addr", "127.0.0.1:0", "echo: address to listen on")
	backend := fs.String("backend", "", "echo: I/O backend, poller|portable (default: asyncio.DefaultIOBackend(), which $ASYNCIOBACKEND sets)")
	memprofile := fs.String("memprofile", "", "echo: on SIGUSR1, GC, print memory statistics on stderr and write a heap profile to FILE.N")
	hold := fs.Bool("hold", false, "idleclient: hold the connections open until stdin closes or SIGTERM")
	memprofilerate := fs.Int("memprofilerate", 0, "set runtime.MemProfileRate (1: record every allocation; 0: leave the default)")
	chains := fs.Int("chains", 1, "callsoon: chains of callbacks")
	workers := fs.Int("workers", 1, "http-server: loops serving the listener")
	impl := fs.String("impl", "typed", "api-server: typed (package aiohttp/api) or hand (a plain handler)")
	nethttp := fs.Bool("nethttp", false, "api-server: serve with net/http instead of package aiohttp")
	url := fs.String("url", "", "http-client: URL to GET; db-roundtrip, db-fetch, db-copy: the PostgreSQL URL")
	dbFile := fs.String("file", "", "db-sqlite-read, db-sqlite-insert: the SQLite database file")
	dbPool := fs.Int("pool", 0, "db-roundtrip, db-sqlite-read: the pool's connections (0: min(c, 20))")
	dbTx := fs.Int("tx", 1000, "db-sqlite-insert: inserts per transaction")
	idle := fs.Int("idle", 0, "http-client: instead of the load, VmRSS per idle pooled connection after this many GETs at once")
	check := fs.Bool("check", false, "http-server, http-client, ws-server, api-server, db-*: exit 0 if this build has them, else say why and exit 3")
	onMessage := fs.Bool("onmessage", false, "ws-server: hand messages to WebSocket.OnMessage instead of a task looping on Receive")
	proto := fs.String("proto", "tcp", "idleclient: tcp (one 64 B echo per connection), http (one GET /) or ws (one 64 B WebSocket echo)")
	conns := fs.Int("c", 100, "load, ws-load: connections; http-client, db-roundtrip, db-sqlite-read: tasks")
	size := fs.Int("size", 64, "load, ws-load: message size in bytes")
	warmtime := fs.Duration("warmtime", 500*time.Millisecond, "load, ws-load, http-client, db-roundtrip, db-sqlite-read: warm-up before the measured window")
	duration := fs.Duration("duration", 2*time.Second, "load, ws-load, http-client, db-roundtrip, db-sqlite-read: measured window")
	pid := fs.Int("pid", 0, "load, ws-load, http-client: the server's process, for its CPU time; idleclient: for its VmRSS")
	settle := fs.Duration("settle", 1500*time.Millisecond, "idleclient -pid: wait after the last connection before reading VmRSS")
	limit := fs.Int("limit", aiohttp.DefaultLimit, "http-lag: the session's connection limit (0: none)")
	server := fs.String("server", "aiohttp", "http-lag: aiohttp (on the same loop) or nethttp (net/http in this process)")
	batch := fs.Int("batch", 0, "http-lag: spawn the request tasks this many at a time (0: all at once)")
	tick := fs.Duration("tick", 5*time.Millisecond, "http-lag: the ticker's period")
	brokerPID := fs.Int("broker-pid", 0, "jobs: the NATS server's process id, for its CPU time (0: not measured)")
	keepResults := fs.Bool("keep-results", false, "jobs: the workers keep results (the default KeepResult) instead of KeepResult(0)")
	jobsConc := fs.Int("concurrency", jobsDefaultConcurrency, "jobs: each worker's jobs.Concurrency")
	jobsPrefetch := fs.Int("prefetch", jobsDefaultPrefetch, "jobs: each worker's jobs.PrefetchJobs (-1: package jobs' default, as many as -concurrency)")
	jobsInflight := fs.Int("inflight", jobsDefaultInflight, "jobs: Enqueues waiting for their acknowledgement at once (producer tasks)")
	jobsMany := fs.Bool("many", false, "jobs: enqueue every job with one jobs.EnqueueMany, not with Enqueues from -inflight tasks")
	jobsQueue := fs.String("queue", "", "jobs-worker: the queue (set by jobs)")
	fs.BoolVar(&memStats, "mem", false, "also report live heap and stack bytes per task or timer")
	fs.Parse(os.Args[2:])
	if *memprofilerate > 0 {
		runtime.MemProfileRate = *memprofilerate
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}

	if os.Args[1] == "echo" {
		if err := echoServer(echoConfig{api: *api, addr: *addr, backend: *backend, memprofile: *memprofile}); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "http-server" || os.Args[1] == "http-client" || os.Args[1] == "ws-server" || os.Args[1] == "api-server" {
		if !httpAvailable {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", errHTTPUnavailable)
			os.Exit(exitUnavailable)
		}
		if *check {
			return
		}
	}
	if strings.HasPrefix(os.Args[1], "db-") {
		if !dbAvailable {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", errDBUnavailable)
			os.Exit(exitUnavailable)
		}
		if *check {
			return
		}
	}
	if os.Args[1] == "jobs" || os.Args[1] == "jobs-worker" {
		if !jobsAvailable {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", errJobsUnavailable)
			os.Exit(exitUnavailable)
		}
		if *url == "" {
			*url = "nats://127.0.0.1:4222"
		}
		if *check {
			if err := servicetest.Reachable(*url); err != nil {
				fmt.Fprintf(os.Stderr, "asyncio-bench: jobs: no NATS server at %s: %v\n", *url, err)
				os.Exit(1)
			}
			return
		}
		nSet := false
		fs.Visit(func(f *flag.Flag) { nSet = nSet || f.Name == "n" })
		if !nSet {
			*n = 100000 // gojobs' default; 1,000,000 is the micro-benchmarks'
		}
	}
	jobsCfg := jobsConfig{
		url: *url, n: *n, workers: *workers, brokerPID: *brokerPID,
		concurrency: *jobsConc, prefetch: *jobsPrefetch, keepResults: *keepResults, inflight: *jobsInflight, many: *jobsMany,
		cpuprofile: *cpuprofile,
	}
	if os.Args[1] == "jobs-worker" {
		if err := jobsWorker(jobsCfg, *jobsQueue); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench jobs-worker:", err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "ws-server" {
		if err := wsServer(*addr, *onMessage); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "api-server" {
		if err := apiServer(*addr, *impl, *nethttp); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "http-server" {
		if err := httpServer(httpServerConfig{addr: *addr, workers: *workers}); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		return
	}
	if os.Args[1] == "idleclient" {
		if err := idleClient(idleConfig{addr: *addr, n: *n, hold: *hold, pid: *pid, settle: *settle, proto: *proto}); err != nil {
			fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
			os.Exit(1)
		}
		return
	}
	var out map[string]any
	var err error
	switch os.Args[1] {
	case "spawn":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return spawn(ctx, *n) })
	case "switch":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return switchCost(ctx, *tasks, *total) })
	case "callsoon":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return callSoon(ctx, *chains, *n) })
	case "http-client":
		out, err = httpClient(httpClientConfig{url: *url, tasks: *conns, warmup: *warmtime, duration: *duration, pid: *pid, idle: *idle})
	case "http-lag":
		out, err = httpLag(httpLagConfig{n: *n, limit: *limit, server: *server, tick: *tick, batch: *batch})
	case "load":
		out, err = loadEcho(loadConfig{addr: *addr, conns: *conns, size: *size, warmup: *warmtime, duration: *duration, pid: *pid})
	case "ws-load":
		out, err = wsLoad(loadConfig{addr: *addr, conns: *conns, size: *size, warmup: *warmtime, duration: *duration, pid: *pid})
	case "timers":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return timers(ctx, *n, *maxms, *seed) })
	case "floor":
		out, err = floor(*kind, *n)
	case "handoff":
		out, err = warm(*warmup, *n, func(ctx context.Context, n int) (map[string]any, error) { return handoff(ctx, *prim, n) })
	case "queue":
		out, err = warm(*warmup, *n, func(ctx context.Context, n int) (map[string]any, error) {
			return queue(ctx, *producers, *consumers, *maxsize, n)
		})
	case "tothread":
		out, err = warm(*warmup, *n, toThread)
	case "proc-spawn":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return procSpawn(ctx, *n) })
	case "proc-pipe":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return procPipe(ctx, *n) })
	case "file-read":
		out, err = asyncio.Run(func(ctx context.Context) (map[string]any, error) { return fileRead(ctx, *n) })
	case "jobs":
		out, err = jobsRun(jobsCfg)
	case "db-roundtrip", "db-fetch", "db-copy", "db-sqlite-read", "db-sqlite-insert":
		out, err = dbBench(os.Args[1], dbConfig{
			url: *url, file: *dbFile, c: *conns, pool: *dbPool, n: *n, tx: *dbTx, warmup: *warmtime, duration: *duration,
		})
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "asyncio-bench:", err)
		os.Exit(1)
	}
	if os.Args[1] != "jobs" { // jobs prints gojobs' fields, no more
		out["gomaxprocs"] = runtime.GOMAXPROCS(0)
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: asyncio-bench spawn -n N | switch -tasks T -total N | callsoon -chains K -n N | timers -n N -maxms M | floor -kind K -n N\n"+
		"       | handoff -prim lock|semaphore|event -n N | queue -producers P -consumers C -maxsize M -n N | tothread -n N\n"+
		"       | echo -api streams|protocol -addr HOST:PORT [-backend poller|portable] [-memprofile FILE [-memprofilerate 1]]\n"+
		"       | load -addr HOST:PORT -c C -size B [-warmtime D -duration D -pid PID] | ws-load (the same flags)\n"+
		"       | http-lag -n N [-limit L -server aiohttp|nethttp -tick D -batch B]\n"+
		"       | http-server -addr HOST:PORT [-workers N] | http-client -url URL (-c C [-warmtime D -duration D -pid PID] | -idle N) (both [-check])\n"+
		"       | api-server -addr HOST:PORT -impl typed|hand [-nethttp] [-check]\n"+
		"       | idleclient -addr HOST:PORT -n N [-pid PID | -hold] [-proto tcp|http|ws] | proc-spawn -n N | proc-pipe -n MIB | file-read -n MIB\n"+
		"       | db-roundtrip -url URL -c C [-pool P -warmtime D -duration D] | db-fetch -url URL -n ROWS | db-copy -url URL -n ROWS\n"+
		"       | db-sqlite-read -file FILE -c C [-pool P -warmtime D -duration D] | db-sqlite-insert -file FILE -n ROWS -tx T (all [-check])\n"+
		"       | jobs -url URL -n N -workers W [-broker-pid PID -keep-results -concurrency C -prefetch P -inflight I -many] [-check]")
	os.Exit(2)
}

// spawn creates n tasks that each Sleep(ctx, 0) once, then awaits them all
// (asyncio: gather of n create_task).
func spawn(ctx context.Context, n int) (map[string]any, error) {
	child := func(ctx context.Context) (struct{}, error) {
		return struct{}{}, asyncio.Sleep(ctx, 0)
	}
	markMem()
	rss0 := rssKB()
	t0 := time.Now()
	ts := make([]*asyncio.Task[struct{}], n)
	for i := range ts {
		ts[i] = asyncio.Spawn(ctx, child)
	}
	var mem map[string]any
	var paused time.Duration
	if memStats {
		// Every child runs its first step, which suspends it, before this
		// Sleep returns.
		asyncio.Sleep(ctx, 0)
		mem, paused = measureMem(n)
	}
	for _, t := range ts {
		if _, err := t.Wait(ctx); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0) - paused
	out := map[string]any{
		"n": n, "wall_ns": el.Nanoseconds(), "ns_per_task": perOp(el, n), "rss0_kb": rss0,
	}
	maps.Copy(out, mem)
	return out, nil
}

// switchCost runs ntasks tasks that each call Sleep(ctx, 0) total/ntasks
// times, and awaits them (asyncio: gather of ntasks workers).
func switchCost(ctx context.Context, ntasks, total int) (map[string]any, error) {
	if ntasks < 1 {
		ntasks = 1
	}
	per := total / ntasks
	worker := func(ctx context.Context) (struct{}, error) {
		for range per {
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}
	rss0 := rssKB()
	t0 := time.Now()
	ts := make([]*asyncio.Task[struct{}], ntasks)
	for i := range ts {
		ts[i] = asyncio.Spawn(ctx, worker)
	}
	for _, t := range ts {
		if _, err := t.Wait(ctx); err != nil {
			return nil, err
		}
	}
	el := time.Since(t0)
	return map[string]any{
		"tasks": ntasks, "total": per * ntasks, "wall_ns": el.Nanoseconds(),
		"ns_per_switch": perOp(el, per*ntasks), "rss0_kb": rss0,
	}, nil
}

// callSoon runs chains chains of callbacks, each callback scheduling the
// next of its chain with CallSoon, until n callbacks have run (asyncio:
// loop.call_soon). With one chain every loop iteration runs one callback;
// with 1,000, a thousand.
func callSoon(ctx context.Context, chains, n int) (map[string]any, error) {
	loop := asyncio.RunningLoop(ctx)
	done := asyncio.NewFuture[time.Duration](ctx)
	left := n
	var t0 time.Time
	var step func()
	step = func() {
		// Callbacks run on the loop, one at a time: no lock.
		switch left--; {
		case left > 0:
			loop.CallSoon(step)
		case left == 0:
			done.SetResult(time.Since(t0))
		}
	}
	t0 = time.Now()
	for range min(chains, n) {
		loop.CallSoon(step)
	}
	el, err := done.Wait(ctx)
	if err != nil {
		return nil, err
	}
	return map[string]any{"chains": chains, "n": n, "wall_ns": el.Nanoseconds(), "ns_per_callback": perOp(el, n)}, nil
}

// timers schedules n callbacks with CallLater, delays uniform integer ms in
// [0, maxms] drawn from a seeded generator, and times the span from the
// first CallLater to the last callback (asyncio: loop.call_later).
func timers(ctx context.Context, n, maxms int, seed int64) (map[string]any, error) {
	loop := asyncio.RunningLoop(ctx)
	rng := rand.New(rand.NewSource(seed))
	delays := make([]time.Duration, n)
	var maxd time.Duration
	for i := range delays {
		delays[i] = time.Duration(rng.Intn(maxms+1)) * time.Millisecond
		maxd = max(maxd, delays[i])
	}
	markMem()
	rss0 := rssKB()
	done := asyncio.NewFuture[time.Duration](ctx)
	count := 0
	var t0 time.Time
	cb := func() {
		// Callbacks run on the loop, one at a time: no lock.
		if count++; count == n {
			done.SetResult(time.Since(t0))
		}
	}
	t0 = time.Now()
	for _, d := range delays {
		loop.CallLater(d, cb)
	}
	sched := time.Since(t0)
	var mem map[string]any
	if memStats {
		mem, _ = measureMem(n)
	}
	el, err := done.Wait(ctx)
	if err != nil {
		return nil, err
	}
	out := map[string]any{
		"n": n, "schedule_ms": ms(sched), "total_ms": ms(el), "max_delay_ms": ms(maxd),
		"overshoot_ms": ms(el - maxd), "rss0_kb": rss0,
	}
	maps.Copy(out, mem)
	return out, nil
}

// memStats is the -mem flag; memBase is the baseline measureMem compares
// with, taken by markMem just before the workload.
var (
	memStats bool
	memBase  runtime.MemStats
)

func markMem() {
	if memStats {
		runtime.GC()
		runtime.ReadMemStats(&memBase)
	}
}

// measureMem returns the growth of the live heap and of the stacks since
// markMem, per op, after a GC, and how long that took.
func measureMem(n int) (map[string]any, time.Duration) {
	t0 := time.Now()
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	return map[string]any{
		"heap_b_per_op":  float64(int64(m.HeapInuse)-int64(memBase.HeapInuse)) / float64(n),
		"stack_b_per_op": float64(int64(m.StackInuse)-int64(memBase.StackInuse)) / float64(n),
	}, time.Since(t0)
}

// floor suspends n goroutines (blocked on a channel) or n iter.Pull
// coroutines (in yield), and reports the growth of the live heap and of
// the stacks per one, and the time to create and start one.
func floor(kind string, n int) (map[string]any, error) {
	memStats = true
	markMem()
	t0 := time.Now()
	var release func()
	switch kind {
	case "goroutine":
		ch := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(n)
		for range n {
			go func() { <-ch; wg.Done() }()
		}
		runtime.Gosched() // with one P, every goroutine runs up to <-ch
		release = func() { close(ch); wg.Wait() }
	case "iter.Pull":
		seq := func(yield func(struct{}) bool) { yield(struct{}{}) }
		nexts := make([]func() (struct{}, bool), n)
		for i := range nexts {
			next, _ := iter.Pull(seq)
			next()
			nexts[i] = next
		}
		release = func() {
			for _, next := range nexts {
				next()
			}
		}
	default:
		return nil, fmt.Errorf("unknown kind %q", kind)
	}
	el := time.Since(t0)
	out, _ := measureMem(n)
	release()
	out["kind"], out["n"], out["ns_per_op"] = kind, n, perOp(el, n)
	return out, nil
}

func perOp(d time.Duration, n int) float64 {
	if n == 0 {
		return 0
	}
	return float64(d.Nanoseconds()) / float64(n)
}

func ms(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e6 }

// rssKB returns this process's VmRSS in KiB.
func rssKB() int64 { return vmrssKB(0) }

// vmrssKB returns VmRSS of process pid, or of this process if pid is 0,
// in KiB (0 where there is none).
func vmrssKB(pid int) int64 {
	file := "/proc/self/status"
	if pid > 0 {
		file = "/proc/" + strconv.Itoa(pid) + "/status"
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			f := strings.Fields(v)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb
			}
		}
	}
	return 0
}
