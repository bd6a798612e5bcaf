package db

import (
	"context"
	"log/slog"
	"time"
)

// An Option configures a pool made by Open.
type Option func(*config)

type config struct {
	maxConns    int
	minConns    int
	maxIdleTime time.Duration
	maxLifetime time.Duration
	onConnect   func(ctx context.Context, c *Conn) error
	stmtCache   int // -1: the driver's default
	slow        time.Duration
	logger      *slog.Logger
	cancelGrace time.Duration
}

func defaultConfig() config {
	return config{
		maxConns:    10,
		maxIdleTime: 30 * time.Minute,
		maxLifetime: time.Hour,
		stmtCache:   -1,
		cancelGrace: 5 * time.Second,
		logger:      slog.Default(),
	}
}

// MaxConns sets the most connections the pool opens at once (asyncpg's
// max_size); 10 by default. It is also the most goroutines the pool's
// executor runs, as each runs the calls of one connection. For an SQLite
// file it may be worth keeping low: SQLite runs one writer at a time.
func MaxConns(n int) Option { return func(c *config) { c.maxConns = n } }

// MinConns sets how many connections Open opens before it returns
// (asyncpg's min_size), so that a server that is down, or an OnConnect
// that fails, shows at once; 0 by default. Like any connection they close
// after MaxIdleTime idle or MaxLifetime, and the pool opens connections
// again only when calls need them.
func MinConns(n int) Option { return func(c *config) { c.minConns = n } }

// MaxIdleTime closes a connection that has been idle for d (asyncpg's
// max_inactive_connection_lifetime); 30 minutes by default, 0 for never.
func MaxIdleTime(d time.Duration) Option { return func(c *config) { c.maxIdleTime = d } }

// MaxLifetime closes a connection once it is d old, when it is next idle;
// an hour by default, 0 for never.
func MaxLifetime(d time.Duration) Option { return func(c *config) { c.maxLifetime = d } }

// OnConnect runs fn on every new connection before the pool hands it out
// (asyncpg's init): to set session variables, register types or prepare
// statements. An error from fn closes the connection and fails the call
// that wanted it.
func OnConnect(fn func(ctx context.Context, c *Conn) error) Option {
	return func(c *config) { c.onConnect = fn }
}

// StatementCache sets how many prepared statements each connection keeps
// by their SQL (asyncpg's statement_cache_size): 512 by default on
// PostgreSQL (pgx's cache), 128 on SQLite and MariaDB. With 0, nothing is
// kept: PostgreSQL statements are described on each use, which works
// behind pgbouncer in transaction mode, and SQLite and MariaDB prepare
// (or, without arguments, send) each statement anew.
func StatementCache(n int) Option { return func(c *config) { c.stmtCache = n } }

// sqlStmtCache is the statement cache of a database/sql connection.
func (c *config) sqlStmtCache() int {
	if c.stmtCache < 0 {
		return 128
	}
	return c.stmtCache
}

// SlowQuery logs every statement that takes d or longer, at level Warn,
// with its text (shortened), duration and rows; logger nil means
// slog.Default. Off by default.
func SlowQuery(d time.Duration, logger *slog.Logger) Option {
	return func(c *config) {
		c.slow = d
		if logger != nil {
			c.logger = logger
		}
	}
}

// CancelGrace sets how long a cancelled query may take to stop on the
// server before the pool closes its connection instead of waiting; 5 s by
// default. The task that was cancelled never waits for it.
func CancelGrace(d time.Duration) Option { return func(c *config) { c.cancelGrace = d } }
