package db

import (
	"context"
	"database/sql/driver"
)

// sqlConnector wraps a database/sql driver's connector so that each
// connection carries the pool's own state about it (sqlConn).
type sqlConnector struct {
	inner driver.Connector
	// stmtCache is how many prepared statements each connection keeps
	// (StatementCache); 0 keeps none.
	stmtCache    int
	withArgsOnly bool // see stmtCache
}

func (c sqlConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return &sqlConn{Conn: conn, stmts: stmtCache{max: c.stmtCache, withArgsOnly: c.withArgsOnly}}, nil
}

func (c sqlConnector) Driver() driver.Driver { return c.inner.Driver() }

// sqlConn is a driver's connection with what the pool knows of it:
// whether OnConnect has run on it, and MariaDB's id for the connection,
// which KILL QUERY names. It passes every optional interface of
// database/sql through to the driver's connection.
type sqlConn struct {
	driver.Conn
	inited bool
	id     int64
	stmts  stmtCache
}

// hideCancel returns ctx for database/sql, which would watch a context
// that can be cancelled with a goroutine of its own for every query: the
// context it sees cannot be, and carries ctx for the connection (sqlConn)
// to hand the driver, which stops the statement when ctx ends. database/sql
// itself has nothing to do on a cancellation the driver does not see
// first.
func hideCancel(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithValue(context.WithoutCancel(ctx), hiddenCtx{}, ctx)
}

type hiddenCtx struct{}

// reveal returns the context hideCancel hid in ctx, or ctx.
func reveal(ctx context.Context) context.Context {
	if c, ok := ctx.Value(hiddenCtx{}).(context.Context); ok {
		return c
	}
	return ctx
}

func (c *sqlConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	ctx = reveal(ctx)
	if cs := c.stmts.take(ctx, c.Conn, query, len(args)); cs != nil {
		defer c.stmts.put(cs)
		return cs.st.(driver.StmtExecContext).ExecContext(ctx, args)
	}
	if e, ok := c.Conn.(driver.ExecerContext); ok {
		return e.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *sqlConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	ctx = reveal(ctx)
	if cs := c.stmts.take(ctx, c.Conn, query, len(args)); cs != nil {
		rows, err := cs.st.(driver.StmtQueryContext).QueryContext(ctx, args)
		if err != nil {
			c.stmts.put(cs)
			return nil, err
		}
		return &cachedRows{Rows: rows, done: func() { c.stmts.put(cs) }}, nil
	}
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *sqlConn) Close() error {
	c.stmts.closeAll()
	return c.Conn.Close()
}

func (c *sqlConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *sqlConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return c.Conn.Begin() //nolint:staticcheck // the fallback database/sql itself uses
}

func (c *sqlConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *sqlConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *sqlConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *sqlConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}
