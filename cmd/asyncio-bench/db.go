//go:build linux

package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

const dbAvailable = true

// The db-* modes are this library's side of bench/run.sh's database
// workloads: package db called from asyncio tasks. Their flags, queries,
// rows and JSON fields are those of bench/peers/godb (pgx, database/sql)
// and bench/peers/db_asyncpg.py, db_aiosqlite.py.

// dbFetchSQL makes $1 rows of five columns on the server (db-fetch).
const dbFetchSQL = `SELECT i::int8 AS id, 'name ' || i AS name, i * 0.25::float8 AS score,
	timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' AS at, i % 2 = 0 AS flag
FROM generate_series(1, $1::int) AS i`

// dbFetchRow is one row of dbFetchSQL.
type dbFetchRow struct {
	ID    int64     `db:"id"`
	Name  string    `db:"name"`
	Score float64   `db:"score"`
	At    time.Time `db:"at"`
	Flag  bool      `db:"flag"`
}

// dbCopyColumns are the columns of db-copy's table; row i (from 1) is
// (i, "name i", i*0.25, dbCopyBase + i s, i even).
var (
	dbCopyColumns = []string{"id", "name", "score", "at", "flag"}
	dbCopyBase    = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
)

// dbSQLiteReadSQL reads one row of the table bench/peers/db_sqlite_setup.py
// makes: kv(id INTEGER PRIMARY KEY, name TEXT, score REAL), score = id/2.
const dbSQLiteReadSQL = "SELECT name, score FROM kv WHERE id = ?"

type dbKV struct {
	Name  string  `db:"name"`
	Score float64 `db:"score"`
}

// dbBench runs db-roundtrip, db-fetch, db-copy, db-sqlite-read or
// db-sqlite-insert on a new loop.
func dbBench(mode string, cfg dbConfig) (map[string]any, error) {
	if cfg.pool == 0 {
		cfg.pool = min(cfg.c, 20)
	}
	var rows [][]any
	if mode == "db-copy" {
		// Made before the loop starts: on the loop, making them would
		// hold it for a while, which the watchdog reports.
		rows = dbCopyRows(cfg.n)
	}
	return asyncio.Run(func(ctx context.Context) (map[string]any, error) {
		switch mode {
		case "db-roundtrip":
			return dbRoundTrip(ctx, cfg)
		case "db-fetch":
			return dbFetch(ctx, cfg)
		case "db-copy":
			return dbCopy(ctx, cfg, rows)
		case "db-sqlite-read":
			return dbSQLiteRead(ctx, cfg)
		case "db-sqlite-insert":
			return dbSQLiteInsert(ctx, cfg)
		}
		return nil, fmt.Errorf("unknown mode %q", mode)
	})
}

// dbClosedLoop runs c tasks that call op again and again (worker: the
// task's index, seq: how many calls it made before) until the window of
// length duration that follows warmup has passed; it counts the calls
// that returned in the window, and this process's CPU time in it. The
// tasks run on the loop one at a time: the counters need no lock.
func dbClosedLoop(ctx context.Context, cfg dbConfig, op func(ctx context.Context, worker, seq int) error) (map[string]any, error) {
	done := 0
	stop := false
	tasks := make([]*asyncio.Task[struct{}], cfg.c)
	for w := range tasks {
		tasks[w] = asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			for seq := 0; !stop; seq++ {
				if err := op(ctx, w, seq); err != nil {
					return struct{}{}, err
				}
				done++
			}
			return struct{}{}, nil
		})
	}
	if err := asyncio.Sleep(ctx, cfg.warmup); err != nil {
		return nil, err
	}
	n0, t0, cpu0 := done, time.Now(), selfCPU()
	if err := asyncio.Sleep(ctx, cfg.duration); err != nil {
		return nil, err
	}
	n1, t1, cpu1 := done, time.Now(), selfCPU()
	stop = true
	for _, t := range tasks {
		if _, err := t.Wait(ctx); err != nil {
			return nil, err
		}
	}
	n, secs, cpu := float64(n1-n0), t1.Sub(t0).Seconds(), cpu1-cpu0
	if n == 0 {
		return nil, fmt.Errorf("no call returned in the window")
	}
	return map[string]any{
		"c": cfg.c, "pool": cfg.pool, "ops": n, "seconds": secs, "per_s": n / secs,
		"cpu_pct": 100 * cpu.Seconds() / secs, "cpu_us_per_op": float64(cpu.Microseconds()) / n,
	}, nil
}

// dbRoundTrip is db-roundtrip: c tasks share a pool of cfg.pool
// connections and run SELECT 1 again and again.
func dbRoundTrip(ctx context.Context, cfg dbConfig) (map[string]any, error) {
	pool, err := db.Open(ctx, cfg.url, db.MaxConns(cfg.pool))
	if err != nil {
		return nil, err
	}
	defer pool.Close(ctx)
	return dbClosedLoop(ctx, cfg, func(ctx context.Context, _, _ int) error {
		v, err := db.QueryRow[int64](ctx, pool, "SELECT 1")
		if err == nil && v != 1 {
			err = fmt.Errorf("SELECT 1 gave %d", v)
		}
		return err
	})
}

// dbFetch is db-fetch: one query streams cfg.n rows of dbFetchSQL into
// dbFetchRow values (db.Rows); rows per second and bytes allocated per row.
func dbFetch(ctx context.Context, cfg dbConfig) (map[string]any, error) {
	pool, err := db.Open(ctx, cfg.url, db.MaxConns(1))
	if err != nil {
		return nil, err
	}
	defer pool.Close(ctx)
	alloc := dbAllocNow()
	t0 := time.Now()
	var count int
	var sum int64
	for r, err := range db.Rows[dbFetchRow](ctx, pool, dbFetchSQL, cfg.n) {
		if err != nil {
			return nil, err
		}
		count++
		sum += r.ID
	}
	el := time.Since(t0)
	out := alloc.perRow(cfg.n)
	if count != cfg.n || sum != int64(cfg.n)*int64(cfg.n+1)/2 {
		return nil, fmt.Errorf("fetched %d rows (sum of ids %d), want %d", count, sum, cfg.n)
	}
	out["rows"], out["seconds"], out["rows_per_s"] = cfg.n, el.Seconds(), float64(cfg.n)/el.Seconds()
	return out, nil
}

// dbCopyRows makes db-copy's n rows.
func dbCopyRows(n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = []any{id, fmt.Sprintf("name %d", id), float64(id) * 0.25, dbCopyBase.Add(time.Duration(id) * time.Second), id%2 == 0}
	}
	return rows
}

// dbCopy is db-copy: rows, made in memory first, copied into an unlogged
// table of this process's with COPY FROM STDIN (CopyFrom); rows per
// second of the copy and bytes allocated per row during it.
func dbCopy(ctx context.Context, cfg dbConfig, rows [][]any) (map[string]any, error) {
	pool, err := db.Open(ctx, cfg.url, db.MaxConns(1))
	if err != nil {
		return nil, err
	}
	defer pool.Close(ctx)
	table := fmt.Sprintf("bench_copy_goasyncio_%d", os.Getpid())
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE UNLOGGED TABLE " + table + " (id int8, name text, score float8, at timestamptz, flag bool)",
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return nil, err
		}
	}
	defer pool.Exec(ctx, "DROP TABLE "+table)
	alloc := dbAllocNow()
	t0 := time.Now()
	copied, err := pool.CopyFrom(ctx, table, dbCopyColumns, slices.Values(rows))
	if err != nil {
		return nil, err
	}
	el := time.Since(t0)
	out := alloc.perRow(cfg.n)
	if copied != int64(len(rows)) {
		return nil, fmt.Errorf("copied %d rows, want %d", copied, len(rows))
	}
	out["rows"], out["seconds"], out["rows_per_s"] = cfg.n, el.Seconds(), float64(cfg.n)/el.Seconds()
	return out, nil
}

// dbSQLiteOpen opens the SQLite database file with a pool of conns;
// options, if any, go to the driver ("_pragma=...").
func dbSQLiteOpen(ctx context.Context, file string, conns int, options string) (*db.Pool, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("%v (bench/peers/db_sqlite_setup.py makes it)", err)
	}
	url := "sqlite:" + file
	if options != "" {
		url += "?" + options
	}
	return db.Open(ctx, url, db.MaxConns(conns))
}

// dbSQLiteRead is db-sqlite-read: c tasks share a pool of cfg.pool
// connections and read one row by primary key again and again; the ids
// walk the table as in bench/peers/godb/sqlite.go.
func dbSQLiteRead(ctx context.Context, cfg dbConfig) (map[string]any, error) {
	pool, err := dbSQLiteOpen(ctx, cfg.file, cfg.pool, "")
	if err != nil {
		return nil, err
	}
	defer pool.Close(ctx)
	rows, err := db.QueryRow[int](ctx, pool, "SELECT count(*) FROM kv")
	if err != nil {
		return nil, err
	}
	if rows == 0 {
		return nil, fmt.Errorf("table kv is empty")
	}
	return dbClosedLoop(ctx, cfg, func(ctx context.Context, worker, seq int) error {
		id := (worker*7919+seq*104729)%rows + 1
		r, err := db.QueryRow[dbKV](ctx, pool, dbSQLiteReadSQL, id)
		if err == nil && r.Score != float64(id)*0.5 {
			err = fmt.Errorf("row %d: score %v", id, r.Score)
		}
		return err
	})
}

// dbSQLiteInsert is db-sqlite-insert: cfg.n rows inserted one statement
// at a time, cfg.tx per transaction (Pool.Tx), into a table of this
// process's, on one connection with synchronous=NORMAL (the database is in
// WAL mode); rows per second.
func dbSQLiteInsert(ctx context.Context, cfg dbConfig) (map[string]any, error) {
	pool, err := dbSQLiteOpen(ctx, cfg.file, 1, "_pragma=synchronous(NORMAL)")
	if err != nil {
		return nil, err
	}
	defer pool.Close(ctx)
	table := fmt.Sprintf("ins_goasyncio_%d", os.Getpid())
	for _, q := range []string{
		"DROP TABLE IF EXISTS " + table,
		"CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, name TEXT, score REAL)",
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			return nil, err
		}
	}
	defer pool.Exec(ctx, "DROP TABLE "+table)
	insert := "INSERT INTO " + table + " (id, name, score) VALUES (?, ?, ?)"
	t0, cpu0 := time.Now(), selfCPU()
	for done := 0; done < cfg.n; {
		end := min(done+cfg.tx, cfg.n)
		err := pool.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			for id := done + 1; id <= end; id++ {
				if _, err := tx.Exec(ctx, insert, id, fmt.Sprintf("name %d", id), float64(id)*0.5); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		done = end
	}
	el, cpu := time.Since(t0), selfCPU()-cpu0
	count, err := db.QueryRow[int](ctx, pool, "SELECT count(*) FROM "+table)
	if err != nil {
		return nil, err
	}
	if count != cfg.n {
		return nil, fmt.Errorf("%d rows in %s, want %d", count, table, cfg.n)
	}
	return map[string]any{
		"ops": cfg.n, "tx": cfg.tx, "seconds": el.Seconds(), "per_s": float64(cfg.n) / el.Seconds(),
		"cpu_pct": 100 * cpu.Seconds() / el.Seconds(), "cpu_us_per_op": float64(cpu.Microseconds()) / float64(cfg.n),
	}, nil
}

// dbAllocs are the bytes and objects allocated so far (TotalAlloc,
// Mallocs), to give them per row.
type dbAllocs struct{ bytes, objects uint64 }

func dbAllocNow() dbAllocs {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return dbAllocs{m.TotalAlloc, m.Mallocs}
}

// perRow returns the bytes and objects allocated since a, per row.
func (a dbAllocs) perRow(rows int) map[string]any {
	b := dbAllocNow()
	return map[string]any{
		"alloc_b_per_row": float64(b.bytes-a.bytes) / float64(rows),
		"allocs_per_row":  float64(b.objects-a.objects) / float64(rows),
	}
}
