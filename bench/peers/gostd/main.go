// Command gostd is plain Go's side of bench/run.sh: goroutines, channels,
// the sync package, time.AfterFunc and net, where cmd/asyncio-bench uses
// the library, and the two WebSocket packages most used on net/http,
// gorilla/websocket and coder/websocket. It is a module of its own so that
// it never links the library, and the library's module does not depend on
// those two. Run under taskset -c N, GOMAXPROCS is 1, like the event loops.
//
//	gostd spawn -n N                            micro.go
//	gostd switch -mode gosched|chan -tasks T -total N
//	gostd timers -n N -maxms M
//	gostd echo -addr 127.0.0.1:PORT             echo.go
//	gostd http -addr 127.0.0.1:PORT             httpserver.go: GET / and GET /json until killed
//	gostd ws-gorilla|ws-coder -addr 127.0.0.1:PORT   ws.go: WebSocket echo on GET / until killed
//	gostd http-client -url URL -tasks T -warmtime 500ms -duration 2s [-pid PID]   httpclient.go
//	gostd http-client-idle -url URL -n N
//	gostd [-impl chan|sync] handoff -prim lock|semaphore|event -n N   coord.go
//	gostd [-impl chan] queue -producers P -consumers C -maxsize M -n N
//	gostd [-impl chan] tothread -n N
//
// Every workload but the servers (echo, http, ws-*) prints one JSON line with the fields of the
// other peers of the same workload.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"time"
)

func main() {
	impl := flag.String("impl", "chan", "handoff, queue, tothread: chan|sync")
	flag.Parse()
	args := flag.Args()
	if len(args) < 1 {
		usage()
	}
	fs := flag.NewFlagSet(args[0], flag.ExitOnError)
	n := fs.Int("n", 100000, "spawn: goroutines; timers: timers; handoff, queue, tothread: ops; http-client-idle: connections")
	tasks := fs.Int("tasks", 1, "switch: goroutines; http-client: goroutines sharing the client")
	total := fs.Int("total", 1000000, "switch: switches shared by the goroutines")
	mode := fs.String("mode", "gosched", "switch: gosched|chan")
	maxms := fs.Int("maxms", 1000, "timers: longest delay in ms")
	addr := fs.String("addr", "127.0.0.1:0", "echo, http, ws-gorilla, ws-coder: address to listen on")
	url := fs.String("url", "", "http-client: URL to GET")
	warmtime := fs.Duration("warmtime", 500*time.Millisecond, "http-client: warm-up before the measured window")
	duration := fs.Duration("duration", 2*time.Second, "http-client: measured window")
	pid := fs.Int("pid", 0, "http-client: the server's process, for its CPU time")
	prim := fs.String("prim", "lock", "handoff: lock|semaphore|event")
	warmup := fs.Int("warmup", 0, "handoff, queue, tothread: ops run first, untimed")
	producers := fs.Int("producers", 1, "queue: producer goroutines")
	consumers := fs.Int("consumers", 1, "queue: consumer goroutines")
	maxsize := fs.Int("maxsize", 0, "queue: capacity (0 = unbounded)")
	fs.Parse(args[1:])

	var run func(n int) (map[string]any, error)
	switch args[0] {
	case "echo":
		if err := echo(*addr); err != nil {
			fail(err)
		}
		return
	case "http":
		if err := httpServe(*addr); err != nil {
			fail(err)
		}
		return
	case "ws-gorilla", "ws-coder":
		serve := wsGorilla
		if args[0] == "ws-coder" {
			serve = wsCoder
		}
		if err := serve(*addr); err != nil {
			fail(err)
		}
		return
	case "http-client":
		run = func(int) (map[string]any, error) { return httpClientLoad(*url, *tasks, *warmtime, *duration, *pid) }
	case "http-client-idle":
		run = func(n int) (map[string]any, error) { return httpClientIdle(*url, n, 1500*time.Millisecond) }
	case "spawn":
		run = spawn
	case "switch":
		run = func(int) (map[string]any, error) { return switchCost(*mode, *tasks, *total) }
	case "timers":
		run = func(n int) (map[string]any, error) { return timers(n, *maxms) }
	case "handoff":
		run = func(n int) (map[string]any, error) { return handoff(*impl, *prim, n) }
	case "queue":
		run = func(n int) (map[string]any, error) { return queue(*impl, *producers, *consumers, *maxsize, n) }
	case "tothread":
		run = func(n int) (map[string]any, error) { return tothread(*impl, n) }
	default:
		usage()
	}
	if *warmup > 0 {
		if _, err := run(*warmup); err != nil {
			fail(err)
		}
	}
	out, err := run(*n)
	if err != nil {
		fail(err)
	}
	out["impl"], out["gomaxprocs"] = *impl, runtime.GOMAXPROCS(0)
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: gostd spawn -n N | switch -mode gosched|chan -tasks T -total N | timers -n N -maxms M | echo -addr HOST:PORT | http -addr HOST:PORT\n"+
		"       | ws-gorilla -addr HOST:PORT | ws-coder -addr HOST:PORT\n"+
		"       | http-client -url URL -tasks T [-warmtime D -duration D -pid PID] | http-client-idle -url URL -n N\n"+
		"       | [-impl chan|sync] handoff -prim lock|semaphore|event -n N | [-impl chan] queue -producers P -consumers C -maxsize M -n N | tothread -n N")
	os.Exit(2)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "gostd:", err)
	os.Exit(1)
}
