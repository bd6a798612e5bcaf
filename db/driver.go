package db

import (
	"context"
	"iter"
)

// A backend is the part of a Pool that speaks to one kind of database:
// PostgreSQL through pgx's pool, SQLite and MariaDB through database/sql.
// All its methods block; the Pool calls them on its executor, never on
// the loop.
type backend interface {
	// acquire takes a connection from the driver's pool. The Pool's own
	// gate has admitted the caller, so a connection is idle or may be
	// opened: acquire waits only for the connection to open.
	acquire(ctx context.Context) (session, error)
	// counts reports the driver's open and idle connections.
	counts() (open, idle int)
	// classify reports whether err is a failure the server reported
	// (the driver's error type), and of which kind (an Err* kind, or nil).
	classify(err error) (kind error, server bool)
	close()
}

// A session is one connection, held from acquire to release.
type session interface {
	exec(ctx context.Context, sql string, args []any) (int64, error)
	query(ctx context.Context, sql string, args []any) (cursor, error)
	// copyFrom inserts rows in bulk; inTx says the session is in a
	// transaction already.
	copyFrom(ctx context.Context, table, columns []string, rows iter.Seq[[]any], inTx bool) (int64, error)
	// begin, commit and rollback run the transaction statements of the
	// database.
	begin(ctx context.Context, o txOptions) error
	commit(ctx context.Context) error
	rollback(ctx context.Context) error
	// driver returns the driver's connection (*pgxpool.Conn or *sql.Conn)
	// for Conn.Driver.
	driver() any
	// release gives the connection back to the driver's pool, or closes
	// it if broken is true.
	release(broken bool)
}

// A cursor is the rows of one query, read in order.
type cursor interface {
	columns() []string
	next() bool
	scan(dest []any) error
	// close ends the query, reading or discarding the rows left; err is
	// the query's error, known once next returned false or close was
	// called.
	close() error
	err() error
	// closeEarly ends the query before its rows are all read, stopping
	// it on the server rather than reading what is left, and reports
	// whether the connection is fit for another query.
	closeEarly(ctx context.Context) bool
}
