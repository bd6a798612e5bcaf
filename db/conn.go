package db

import (
	"context"
	"sync/atomic"
	"time"
)

// A Conn is a connection taken from a pool for the caller alone
// (asyncpg's pool.acquire()), for a run of statements that must share one
// session: temporary tables, session settings, advisory locks. It is a
// Querier. Release gives it back; until then it counts against MaxConns.
// Calls on a Conn from several tasks at once run one after another.
type Conn struct {
	l        *lease
	released atomic.Bool
}

// Acquire takes a connection from the pool, waiting for one if all are
// in use, and opening it if needed.
func (p *Pool) Acquire(ctx context.Context) (*Conn, error) {
	l, _, err := p.lease(ctx)
	if err != nil {
		return nil, err
	}
	// The connection is taken now, so that a failure to open it shows
	// here rather than at the first statement.
	if err := l.call(ctx, "acquire", false, func(context.Context, session) error { return nil }); err != nil {
		l.end()
		return nil, err
	}
	return &Conn{l: l}, nil
}

func (c *Conn) lease(context.Context) (*lease, bool, error) {
	if c.released.Load() {
		return nil, false, errLeaseEnded
	}
	return c.l, false, nil
}

// Exec runs a statement that returns no rows on c and reports how many
// rows it affected.
func (c *Conn) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return execOn(ctx, c, sql, args)
}

// Tx runs fn in a transaction on c, as Pool.Tx does on a connection of
// the pool.
func (c *Conn) Tx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error, opts ...TxOption) error {
	if c.released.Load() {
		return errLeaseEnded
	}
	return runTx(ctx, func(context.Context) (*lease, bool, error) { return c.l, false, nil }, fn, opts)
}

// Prepare prepares sql on c's PostgreSQL connection under name, which
// Query, QueryRow, Rows and Exec on c then take in place of the SQL
// (asyncpg's conn.prepare). Prepared in OnConnect, a statement is ready on
// every connection of the pool. The pool also prepares every statement it
// runs, by itself, and keeps StatementCache of them per connection, so
// naming statements is rarely needed. Other databases return
// ErrNotSupported.
func (c *Conn) Prepare(ctx context.Context, name, sql string) error {
	if c.released.Load() {
		return errLeaseEnded
	}
	return c.l.call(ctx, sql, false, func(ctx context.Context, s session) error {
		ps, ok := s.(*pgSession)
		if !ok {
			return ErrNotSupported
		}
		_, err := ps.conn.Prepare(ctx, name, sql)
		return err
	})
}

// Raw runs fn on the pool's executor with the driver's own connection:
// a *pgx.Conn for PostgreSQL, a *sql.Conn for SQLite and MariaDB. It is
// for what this package does not wrap; fn may block, and must not keep
// the connection past its return.
func (c *Conn) Raw(ctx context.Context, fn func(driverConn any) error) error {
	return c.l.call(ctx, "raw", false, func(_ context.Context, s session) error {
		return fn(s.driver())
	})
}

// Release gives the connection back to the pool. It does not wait, and
// calling it again does nothing. A statement still running for a
// cancelled task finishes first.
//
// On PostgreSQL, Release first undoes what a borrower leaves behind by
// accident and the next one would trip on: it releases advisory locks,
// closes cursors and stops listening (asyncpg's reset, but for RESET
// ALL). Settings made with SET and temporary tables stay, on every
// database, as what OnConnect sets up must: the next user of the
// connection sees them.
func (c *Conn) Release() {
	if !c.released.Swap(true) {
		c.l.endAfter(resetSession)
	}
}

// pgReset undoes what Release undoes.
const pgReset = "SELECT pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *"

// resetSession resets a PostgreSQL session before it goes back to the
// pool.
func resetSession(s session) error {
	ps, ok := s.(*pgSession)
	if !ok {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := ps.conn.Exec(ctx, pgReset)
	return err
}

// inlineConn is the Conn that OnConnect gets, for a connection being
// opened: its calls run at once on the goroutine opening it, which is
// already off the loop and holds no lease of its own yet.
func inlineConn(p *Pool, s session) *Conn {
	return &Conn{l: &lease{p: p, s: s, inline: true}}
}
