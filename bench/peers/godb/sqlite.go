package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite"
)

// sqliteReadSQL reads one row of the table bench/peers/db_sqlite_setup.py
// makes: kv(id INTEGER PRIMARY KEY, name TEXT, score REAL), ids 1..rows.
const sqliteReadSQL = "SELECT name, score FROM kv WHERE id = ?"

// sqliteID is the id the seq-th read of goroutine worker asks for: a walk
// over the whole table, different for each worker, the same in every peer.
func sqliteID(worker, seq, rows int) int {
	return (worker*7919+seq*104729)%rows + 1
}

// sqliteOpen opens file with a pool of at most conns connections.
func sqliteOpen(file string, conns int) (*sql.DB, error) {
	if _, err := os.Stat(file); err != nil {
		return nil, fmt.Errorf("%v (bench/peers/db_sqlite_setup.py makes it)", err)
	}
	db, err := sql.Open("sqlite", file)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	return db, nil
}

// sqliteRows is how many rows kv holds.
func sqliteRows(db *sql.DB) (int, error) {
	var n int
	err := db.QueryRow("SELECT count(*) FROM kv").Scan(&n)
	if err == nil && n == 0 {
		err = fmt.Errorf("table kv is empty")
	}
	return n, err
}

// sqliteRead is db-sqlite-read: c goroutines share a pool of conns
// connections and read one row by primary key again and again, through a
// statement prepared once (database/sql prepares it again on each
// connection that runs it).
func sqliteRead(file string, c, conns int, warmup, duration time.Duration) (map[string]any, error) {
	db, err := sqliteOpen(file, conns)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := sqliteRows(db)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	stmt, err := db.PrepareContext(ctx, sqliteReadSQL)
	if err != nil {
		return nil, err
	}
	defer stmt.Close()
	out, err := closedLoop(c, warmup, duration, func(worker, seq int) error {
		var name string
		var score float64
		id := sqliteID(worker, seq, rows)
		if err := stmt.QueryRowContext(ctx, id).Scan(&name, &score); err != nil {
			return err
		}
		if score != float64(id)*0.5 {
			return fmt.Errorf("row %d: score %v", id, score)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out["pool"] = conns
	return out, nil
}

// sqliteInsert is db-sqlite-insert: n rows inserted one statement at a time
// (through a statement prepared for each transaction), tx of them per
// transaction, into a table of this process's, on one connection with
// synchronous=NORMAL (the database is in WAL mode); rows per second.
func sqliteInsert(file string, n, tx int) (map[string]any, error) {
	db, err := sqliteOpen(file, 1)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	table := fmt.Sprintf("ins_godb_%d", os.Getpid())
	for _, q := range []string{
		"PRAGMA synchronous=NORMAL",
		"DROP TABLE IF EXISTS " + table,
		"CREATE TABLE " + table + " (id INTEGER PRIMARY KEY, name TEXT, score REAL)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return nil, err
		}
	}
	defer db.ExecContext(ctx, "DROP TABLE "+table)
	insert := "INSERT INTO " + table + " (id, name, score) VALUES (?, ?, ?)"
	t0, cpu0 := time.Now(), selfCPU()
	for done := 0; done < n; {
		t, err := db.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		stmt, err := t.PrepareContext(ctx, insert)
		if err != nil {
			t.Rollback()
			return nil, err
		}
		for end := min(done+tx, n); done < end; done++ {
			id := done + 1
			if _, err := stmt.ExecContext(ctx, id, fmt.Sprintf("name %d", id), float64(id)*0.5); err != nil {
				t.Rollback()
				return nil, err
			}
		}
		if err := t.Commit(); err != nil {
			return nil, err
		}
	}
	el, cpu := time.Since(t0), selfCPU()-cpu0
	var count int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&count); err != nil {
		return nil, err
	}
	if count != n {
		return nil, fmt.Errorf("%d rows in %s, want %d", count, table, n)
	}
	return map[string]any{
		"ops": n, "tx": tx, "seconds": el.Seconds(), "per_s": float64(n) / el.Seconds(),
		"cpu_pct": 100 * cpu.Seconds() / el.Seconds(), "cpu_us_per_op": float64(cpu.Microseconds()) / float64(n),
	}, nil
}

func sqliteVersion() (string, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return "", err
	}
	defer db.Close()
	var v string
	err = db.QueryRow("SELECT sqlite_version()").Scan(&v)
	return v, err
}
