package db

import (
	"errors"
	"fmt"
)

// ErrNoRows is returned by QueryRow when the query returns no row.
var ErrNoRows = errors.New("db: no rows in result set")

// ErrPoolClosed is returned by a pool's methods once Close was called.
var ErrPoolClosed = errors.New("db: pool is closed")

// ErrNotSupported is returned for a feature the pool's database lacks,
// such as Listen on SQLite.
var ErrNotSupported = errors.New("db: not supported by this database")

// The kinds of failure a server reports that a program often handles:
// errors.Is(err, db.ErrUniqueViolation) holds for an *Error of that kind
// from any of the databases.
var (
	ErrUniqueViolation     = errors.New("db: unique violation")
	ErrForeignKeyViolation = errors.New("db: foreign key violation")
	ErrNotNullViolation    = errors.New("db: not null violation")
	ErrCheckViolation      = errors.New("db: check violation")
	// ErrSerialization is a transaction that could not be serialized
	// with the others (PostgreSQL's 40001, SQLite's SQLITE_BUSY_SNAPSHOT):
	// running it again may succeed (see Retry).
	ErrSerialization = errors.New("db: serialization failure")
	// ErrDeadlock is a transaction the server aborted to break a
	// deadlock (PostgreSQL's 40P01, MariaDB's 1213, and SQLite's
	// SQLITE_BUSY, which a write that would deadlock gets at once):
	// running it again may succeed (see Retry).
	ErrDeadlock = errors.New("db: deadlock")
)

// An Error is a failure the database reported for a statement. Err is the
// driver's own error, so errors.As reaches *pgconn.PgError,
// *mysql.MySQLError or *sqlite.Error; errors.Is matches Kind.
type Error struct {
	// SQL is the statement, shortened to 200 bytes.
	SQL string
	// Kind is one of ErrUniqueViolation, ErrForeignKeyViolation,
	// ErrNotNullViolation, ErrCheckViolation, ErrSerialization and
	// ErrDeadlock, or nil for a failure of no such kind.
	Kind error
	// Err is the driver's error.
	Err error
}

func (e *Error) Error() string {
	return fmt.Sprintf("db: %v (in %q)", e.Err, e.SQL)
}

// Unwrap returns the driver's error and the kind, for errors.Is and
// errors.As.
func (e *Error) Unwrap() []error {
	if e.Kind == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Kind}
}

// shorten cuts s to at most n bytes on a rune boundary, marking the cut.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + "…"
}
