//go:build linux

package main

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
)

// TestDBSQLite runs db-sqlite-insert and db-sqlite-read on a small file
// with the table bench/peers/db_sqlite_setup.py makes.
func TestDBSQLite(t *testing.T) {
	file := filepath.Join(t.TempDir(), "bench.db")
	const rows = 100
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		pool, err := db.Open(ctx, "sqlite:"+file)
		if err != nil {
			return struct{}{}, err
		}
		defer pool.Close(ctx)
		if _, err := pool.Exec(ctx, "CREATE TABLE kv (id INTEGER PRIMARY KEY, name TEXT, score REAL)"); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, pool.Tx(ctx, func(ctx context.Context, tx *db.Tx) error {
			for i := 1; i <= rows; i++ {
				if _, err := tx.Exec(ctx, "INSERT INTO kv VALUES (?, ?, ?)", i, fmt.Sprintf("name %d", i), float64(i)*0.5); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}

	out, err := dbBench("db-sqlite-insert", dbConfig{file: file, n: 2500, tx: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if out["ops"] != 2500 || out["per_s"].(float64) <= 0 {
		t.Errorf("db-sqlite-insert: %v", out)
	}

	out, err = dbBench("db-sqlite-read", dbConfig{file: file, c: 3, warmup: 10 * time.Millisecond, duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if out["pool"] != 3 || out["ops"].(float64) < 1 {
		t.Errorf("db-sqlite-read: %v", out)
	}
}

// TestDBPostgres runs db-roundtrip, db-fetch and db-copy, small, against
// the server TEST_POSTGRES_URL names (by default the project machines').
func TestDBPostgres(t *testing.T) {
	u := os.Getenv("TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	if err := dialURL(u); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL at %s: %v", u, err)
		}
		t.Skipf("no PostgreSQL (%v): set TEST_POSTGRES_URL to one", err)
	}

	out, err := dbBench("db-roundtrip", dbConfig{url: u, c: 3, warmup: 10 * time.Millisecond, duration: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if out["pool"] != 3 || out["ops"].(float64) < 1 {
		t.Errorf("db-roundtrip: %v", out)
	}
	for _, mode := range []string{"db-fetch", "db-copy"} {
		out, err := dbBench(mode, dbConfig{url: u, n: 1000})
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		if out["rows"] != 1000 || out["rows_per_s"].(float64) <= 0 || out["alloc_b_per_row"].(float64) <= 0 {
			t.Errorf("%s: %v", mode, out)
		}
	}
}

func dialURL(raw string) error {
	pu, err := url.Parse(raw)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", pu.Host, 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}
