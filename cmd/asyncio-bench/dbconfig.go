package main

import (
	"errors"
	"time"
)

// dbConfig is the db-* subcommands' flags (the same as bench/peers/godb's).
type dbConfig struct {
	url              string // PostgreSQL (db-roundtrip, db-fetch, db-copy)
	file             string // SQLite (db-sqlite-read, db-sqlite-insert)
	c                int    // concurrent tasks (db-roundtrip, db-sqlite-read)
	pool             int    // connections; 0: min(c, 20)
	n                int    // rows (db-fetch, db-copy, db-sqlite-insert)
	tx               int    // inserts per transaction (db-sqlite-insert)
	warmup, duration time.Duration
}

// errDBUnavailable is why a build for another system than Linux
// (db_other.go) has no db-* modes.
var errDBUnavailable = errors.New("db-*: not available: they need Linux (getrusage, as the http modes)")
