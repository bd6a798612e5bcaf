package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"sync/atomic"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// memoryDBs numbers the in-memory databases of the process, each a pool's.
var memoryDBs atomic.Int64

// openSQLite opens "sqlite:PATH" or "sqlite::memory:", with options
// after a "?" passed to the driver (modernc.org/sqlite's, such as
// _pragma=...).
func openSQLite(ctx context.Context, p *Pool, rest string) (backend, error) {
	path, query, _ := strings.Cut(rest, "?")
	if path == "" {
		return nil, errors.New("db: sqlite URL names no file (sqlite:PATH or sqlite::memory:)")
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		return nil, fmt.Errorf("db: sqlite URL options: %w", err)
	}
	// Every connection waits up to 5 s for another's write lock instead
	// of failing at once, and enforces foreign keys.
	if !hasPragma(q, "busy_timeout") {
		q.Add("_pragma", "busy_timeout(5000)")
	}
	if !hasPragma(q, "foreign_keys") {
		q.Add("_pragma", "foreign_keys(1)")
	}
	var dsn string
	memory := path == ":memory:"
	if memory {
		// A plain :memory: database is private to its connection; the
		// memdb VFS shares one, by name, among the pool's connections.
		dsn = fmt.Sprintf("file:/asyncio-db-%d?vfs=memdb&", memoryDBs.Add(1))
	} else {
		// WAL lets readers go on while one connection writes.
		if !hasPragma(q, "journal_mode") {
			q.Add("_pragma", "journal_mode(WAL)")
		}
		dsn = "file:" + path + "?"
	}
	dsn += q.Encode()
	inner, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	var d sqliteDialect
	if memory {
		// An in-memory database lives as long as a connection to it:
		// one the pool closes (idle past MaxIdleTime, older than
		// MaxLifetime, unfit after a cancel) must not take the data
		// with it when it was the last. The pool keeps one of its own
		// open until Close.
		keep, err := inner.Connect(ctx)
		if err != nil {
			return nil, err
		}
		d.keep = keep
	}
	return newSQLBackend(p, sql.OpenDB(sqlConnector{inner: inner, stmtCache: p.cfg.sqlStmtCache()}), d), nil
}

func hasPragma(q url.Values, name string) bool {
	for _, v := range q["_pragma"] {
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), name) {
			return true
		}
	}
	return false
}

type sqliteDialect struct {
	keep io.Closer // for an in-memory database, a connection held open
}

func (sqliteDialect) quote(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (sqliteDialect) beginSQL(o txOptions) []string {
	if o.readOnly {
		// SQLite has no read-only transactions: the session refuses
		// writes until endSQL.
		return []string{"PRAGMA query_only = 1", "BEGIN"}
	}
	// A transaction that may write takes the write lock at once: one
	// that took it only at its first write could find another writer
	// ahead and fail with SQLITE_BUSY, as a deadlock.
	return []string{"BEGIN IMMEDIATE"}
}

func (sqliteDialect) endSQL(o txOptions) []string {
	if o.readOnly {
		return []string{"PRAGMA query_only = 0"}
	}
	return nil
}

func (sqliteDialect) classify(err error) (error, bool) {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return nil, false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return ErrUniqueViolation, true
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return ErrForeignKeyViolation, true
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		return ErrNotNullViolation, true
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		return ErrCheckViolation, true
	case sqlite3.SQLITE_BUSY_SNAPSHOT:
		return ErrSerialization, true
	case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
		return ErrDeadlock, true
	}
	return nil, true
}

func (sqliteDialect) setup(context.Context, *sql.Conn, *sqlConn) error { return nil }

// watch hands ctx to the driver as it is: modernc.org/sqlite interrupts
// the statement when ctx ends, and the connection stays usable.
func (sqliteDialect) watch(ctx context.Context, _ *sqlConn) (context.Context, func() bool) {
	return ctx, func() bool { return true }
}

func (d sqliteDialect) close() {
	if d.keep != nil {
		d.keep.Close()
	}
}
