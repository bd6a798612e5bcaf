// Command godb is plain Go's side of bench/run.sh's database workloads:
// pgx v5's pool (PostgreSQL) and database/sql over modernc.org/sqlite,
// each called directly from goroutines, where cmd/asyncio-bench calls
// package db from asyncio tasks. It is a module of its own so that it never
// links the library. Run under taskset -c N, GOMAXPROCS is 1, like the
// event loops.
//
//	godb db-roundtrip -url URL -c C [-pool P] -warmtime 500ms -duration 2s   pg.go
//	godb db-fetch -url URL -n ROWS
//	godb db-copy -url URL -n ROWS
//	godb db-sqlite-read -file FILE -c C [-pool P] -warmtime 500ms -duration 2s   sqlite.go
//	godb db-sqlite-insert -file FILE -n ROWS -tx 1000
//	godb versions [-url URL]   the PostgreSQL server's version and the driver modules'
//
// The modes and flags are those of cmd/asyncio-bench's db modes, so that
// bench/run.sh gives both the same arguments. Each workload prints one JSON
// line with the fields of the other peers of the same workload. FILE is a
// database bench/peers/db_sqlite_setup.py made. P is min(C, 20) by default.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	fs := flag.NewFlagSet(os.Args[1], flag.ExitOnError)
	url := fs.String("url", "postgres://postgres@127.0.0.1:5432/test", "db-roundtrip, db-fetch, db-copy: the PostgreSQL URL")
	file := fs.String("file", "", "db-sqlite-*: the database file")
	c := fs.Int("c", 1, "db-roundtrip, db-sqlite-read: concurrent goroutines")
	pool := fs.Int("pool", 0, "db-roundtrip, db-sqlite-read: connections (0: min(c, 20))")
	n := fs.Int("n", 1000000, "db-fetch, db-copy: rows; db-sqlite-insert: rows inserted")
	tx := fs.Int("tx", 1000, "db-sqlite-insert: inserts per transaction")
	warmtime := fs.Duration("warmtime", 500*time.Millisecond, "db-roundtrip, db-sqlite-read: warm-up before the measured window")
	duration := fs.Duration("duration", 2*time.Second, "db-roundtrip, db-sqlite-read: measured window")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the workload to this file (as asyncio-bench -cpuprofile)")
	fs.Parse(os.Args[2:])
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "godb:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if *pool == 0 {
		*pool = min(*c, 20)
	}

	var out map[string]any
	var err error
	switch os.Args[1] {
	case "db-roundtrip":
		out, err = pgRoundTrip(*url, *c, *pool, *warmtime, *duration)
	case "db-fetch":
		out, err = pgFetch(*url, *n)
	case "db-copy":
		out, err = pgCopy(*url, *n)
	case "db-sqlite-read":
		out, err = sqliteRead(*file, *c, *pool, *warmtime, *duration)
	case "db-sqlite-insert":
		out, err = sqliteInsert(*file, *n, *tx)
	case "versions":
		fmt.Println(versions(*url))
		return
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "godb:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
	out["gomaxprocs"] = runtime.GOMAXPROCS(0)
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: godb db-roundtrip -url URL -c C [-pool P -warmtime D -duration D] | db-fetch -url URL -n ROWS | db-copy -url URL -n ROWS\n"+
		"       | db-sqlite-read -file FILE -c C [-pool P -warmtime D -duration D] | db-sqlite-insert -file FILE -n ROWS -tx T | versions [-url URL]")
	os.Exit(2)
}

// versions names the driver modules this binary was built with and the
// PostgreSQL server's version (if it answers), for the run's header.
func versions(url string) string {
	var parts []string
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/jackc/pgx/v5" || m.Path == "modernc.org/sqlite" {
				parts = append(parts, m.Path+" "+m.Version)
			}
		}
	}
	if v, err := pgServerVersion(url); err == nil {
		parts = append(parts, "PostgreSQL "+v)
	}
	if v, err := sqliteVersion(); err == nil {
		parts = append(parts, "SQLite "+v)
	}
	return strings.Join(parts, "; ")
}

// closedLoop runs the closed loop of db-roundtrip and db-sqlite-read: c
// goroutines call op again and again (worker: the goroutine's index, seq:
// how many calls it made before) until the window of length duration that
// follows warmup has passed. It counts the calls that returned in the
// window, and this process's CPU time in it.
func closedLoop(c int, warmup, duration time.Duration, op func(worker, seq int) error) (map[string]any, error) {
	var done atomic.Int64
	var stop atomic.Bool
	var firstErr atomic.Value
	var wg sync.WaitGroup
	for w := range c {
		wg.Add(1)
		// Each ends once stop is set and its call is back, or at its
		// first error.
		go func() {
			defer wg.Done()
			for seq := 0; !stop.Load(); seq++ {
				if err := op(w, seq); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				done.Add(1)
			}
		}()
	}
	time.Sleep(warmup)
	n0, t0, cpu0 := done.Load(), time.Now(), selfCPU()
	time.Sleep(duration)
	n1, t1, cpu1 := done.Load(), time.Now(), selfCPU()
	stop.Store(true)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	n, secs, cpu := float64(n1-n0), t1.Sub(t0).Seconds(), cpu1-cpu0
	if n == 0 {
		return nil, fmt.Errorf("no call returned in the window")
	}
	return map[string]any{
		"c": c, "ops": n, "seconds": secs, "per_s": n / secs,
		"cpu_pct": 100 * cpu.Seconds() / secs, "cpu_us_per_op": float64(cpu.Microseconds()) / n,
	}, nil
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allocMeter reads the bytes and objects allocated so far (TotalAlloc,
// Mallocs), to give them per row.
type allocMeter struct{ bytes, objects uint64 }

func allocNow() allocMeter {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return allocMeter{m.TotalAlloc, m.Mallocs}
}

// perRow returns the allocation fields of a result: bytes and objects
// allocated since a, per row.
func (a allocMeter) perRow(rows int) map[string]any {
	b := allocNow()
	return map[string]any{
		"alloc_b_per_row": float64(b.bytes-a.bytes) / float64(rows),
		"allocs_per_row":  float64(b.objects-a.objects) / float64(rows),
	}
}
