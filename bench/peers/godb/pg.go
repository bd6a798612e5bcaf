package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// fetchSQL makes $1 rows of five columns on the server, the same for every
// peer of db-fetch (bench/peers/db_asyncpg.py, cmd/asyncio-bench/db.go).
const fetchSQL = `SELECT i::int8 AS id, 'name ' || i AS name, i * 0.25::float8 AS score,
	timestamptz '2026-01-01 00:00:00+00' + i * interval '1 second' AS at, i % 2 = 0 AS flag
FROM generate_series(1, $1::int) AS i`

// copyColumns are the columns of db-copy's table, the rows copyRows makes.
var copyColumns = []string{"id", "name", "score", "at", "flag"}

// copyBase is the first row's timestamp; row i is i seconds later.
var copyBase = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// pgOpen opens a pool of conns connections, all of them kept open.
func pgOpen(ctx context.Context, url string, conns int) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.MaxConns, cfg.MinConns = int32(conns), int32(conns)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// pgRoundTrip is db-roundtrip: c goroutines share a pool of conns
// connections and run SELECT 1 again and again.
func pgRoundTrip(url string, c, conns int, warmup, duration time.Duration) (map[string]any, error) {
	ctx := context.Background()
	pool, err := pgOpen(ctx, url, conns)
	if err != nil {
		return nil, err
	}
	defer pool.Close()
	out, err := closedLoop(c, warmup, duration, func(int, int) error {
		var v int32
		if err := pool.QueryRow(ctx, "SELECT 1").Scan(&v); err != nil {
			return err
		}
		if v != 1 {
			return fmt.Errorf("SELECT 1 gave %d", v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out["pool"] = conns
	return out, nil
}

// fetchRow is one row of fetchSQL.
type fetchRow struct {
	ID    int64
	Name  string
	Score float64
	At    time.Time
	Flag  bool
}

// pgFetch is db-fetch: one query, on a pool of one connection, streams n rows of fetchSQL, each scanned
// into a fetchRow; rows per second and bytes allocated per row.
func pgFetch(url string, n int) (map[string]any, error) {
	ctx := context.Background()
	conn, err := pgOpen(ctx, url, 1)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	alloc := allocNow()
	t0 := time.Now()
	rows, err := conn.Query(ctx, fetchSQL, n)
	if err != nil {
		return nil, err
	}
	var r fetchRow
	var count int
	var sum int64
	// One slice of targets for every row: built in the call, it would
	// escape to the heap once per row (80 bytes).
	dest := []any{&r.ID, &r.Name, &r.Score, &r.At, &r.Flag}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			rows.Close()
			return nil, err
		}
		count++
		sum += r.ID
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	el := time.Since(t0)
	if count != n || sum != int64(n)*int64(n+1)/2 {
		return nil, fmt.Errorf("fetched %d rows (sum of ids %d), want %d", count, sum, n)
	}
	out := alloc.perRow(n)
	out["rows"], out["seconds"], out["rows_per_s"] = n, el.Seconds(), float64(n)/el.Seconds()
	return out, nil
}

// copyRows makes db-copy's n rows.
func copyRows(n int) [][]any {
	rows := make([][]any, n)
	for i := range rows {
		id := int64(i + 1)
		rows[i] = []any{id, fmt.Sprintf("name %d", id), float64(id) * 0.25, copyBase.Add(time.Duration(id) * time.Second), id%2 == 0}
	}
	return rows
}

// pgCopy is db-copy: n rows made in memory first, then copied into an
// unlogged table of this process's with COPY FROM STDIN (CopyFrom); rows
// per second of the copy, and bytes allocated per row during it.
func pgCopy(url string, n int) (map[string]any, error) {
	ctx := context.Background()
	conn, err := pgOpen(ctx, url, 1)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	table := fmt.Sprintf("bench_copy_godb_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "DROP TABLE IF EXISTS "+table); err != nil {
		return nil, err
	}
	if _, err := conn.Exec(ctx, "CREATE UNLOGGED TABLE "+table+" (id int8, name text, score float8, at timestamptz, flag bool)"); err != nil {
		return nil, err
	}
	defer conn.Exec(ctx, "DROP TABLE "+table)
	rows := copyRows(n)
	alloc := allocNow()
	t0 := time.Now()
	copied, err := conn.CopyFrom(ctx, pgx.Identifier{table}, copyColumns, pgx.CopyFromRows(rows))
	if err != nil {
		return nil, err
	}
	el := time.Since(t0)
	out := alloc.perRow(n)
	if copied != int64(n) {
		return nil, fmt.Errorf("copied %d rows, want %d", copied, n)
	}
	out["rows"], out["seconds"], out["rows_per_s"] = n, el.Seconds(), float64(n)/el.Seconds()
	return out, nil
}

func pgServerVersion(url string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	var v string
	err = conn.QueryRow(ctx, "SHOW server_version").Scan(&v)
	return v, err
}
