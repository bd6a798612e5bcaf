package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"iter"
)

// sqlBackend is a database reached through database/sql: SQLite and
// MariaDB/MySQL. A dialect holds what differs between them.
type sqlBackend struct {
	p  *Pool
	db *sql.DB
	d  dialect
}

// A dialect is what differs between the databases behind database/sql.
type dialect interface {
	beginSQL(o txOptions) []string
	quote(name string) string
	// endSQL follows the COMMIT or ROLLBACK of a transaction begun with
	// o, to undo what beginSQL set for the session.
	endSQL(o txOptions) []string
	classify(err error) (error, bool)
	// setup runs once on each new connection, before OnConnect.
	setup(ctx context.Context, c *sql.Conn, raw *sqlConn) error
	// watch makes the context for a driver call on raw that ctx may
	// cancel: it stops the statement on the server when ctx ends. stop
	// ends the watch and reports whether the connection is still fit.
	watch(ctx context.Context, raw *sqlConn) (dctx context.Context, stop func() (fit bool))
	close()
}

func newSQLBackend(p *Pool, db *sql.DB, d dialect) *sqlBackend {
	c := &p.cfg
	db.SetMaxOpenConns(c.maxConns)
	db.SetMaxIdleConns(c.maxConns)
	db.SetConnMaxIdleTime(c.maxIdleTime)
	db.SetConnMaxLifetime(c.maxLifetime)
	return &sqlBackend{p: p, db: db, d: d}
}

// warm opens n connections, for MinConns.
func (b *sqlBackend) warm(ctx context.Context, n int) error {
	var held []session
	defer func() {
		for _, s := range held {
			s.release(false)
		}
	}()
	for range n {
		s, err := b.acquire(ctx)
		if err != nil {
			return err
		}
		held = append(held, s)
	}
	return nil
}

func (b *sqlBackend) acquire(ctx context.Context) (session, error) {
	c, err := b.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	s := &sqlSession{b: b, conn: c}
	c.Raw(func(dc any) error {
		s.raw = dc.(*sqlConn)
		return nil
	})
	if !s.raw.inited {
		if err := b.d.setup(ctx, c, s.raw); err != nil {
			s.release(true)
			return nil, err
		}
		if hook := b.p.cfg.onConnect; hook != nil {
			if err := hook(ctx, inlineConn(b.p, s)); err != nil {
				s.release(true)
				return nil, err
			}
		}
		s.raw.inited = true
	}
	return s, nil
}

func (b *sqlBackend) counts() (open, idle int) {
	st := b.db.Stats()
	return st.OpenConnections, st.Idle
}

func (b *sqlBackend) classify(err error) (error, bool) { return b.d.classify(err) }

// failed does nothing: database/sql's drivers check an idle connection
// before they use it (go-sql-driver/mysql reads its socket for an EOF),
// and SQLite has no server.
func (b *sqlBackend) failed(error) {}

func (b *sqlBackend) close() {
	b.db.Close()
	b.d.close()
}

// sqlSession is a database/sql connection held for a lease.
type sqlSession struct {
	b    *sqlBackend
	conn *sql.Conn
	raw  *sqlConn
	// unfit is set when a cancelled statement may have left the
	// connection unusable.
	unfit bool
	// endTx is what the transaction in progress needs after its end.
	endTx []string
}

func (s *sqlSession) exec(ctx context.Context, q string, args []any) (int64, error) {
	dctx, stop := s.b.d.watch(ctx, s.raw)
	res, err := s.conn.ExecContext(hideCancel(dctx), q, args...)
	if !stop() {
		s.unfit = true
	}
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (s *sqlSession) query(ctx context.Context, q string, args []any) (cursor, error) {
	dctx, stop := s.b.d.watch(ctx, s.raw)
	rows, err := s.conn.QueryContext(hideCancel(dctx), q, args...)
	if err != nil {
		if !stop() {
			s.unfit = true
		}
		return nil, err
	}
	cols, err := rows.Columns()
	if err != nil {
		rows.Close()
		stop()
		return nil, err
	}
	return &sqlCursor{s: s, rows: rows, cols: cols, stop: stop}, nil
}

// copyFrom inserts rows with INSERTs of many rows each, in a transaction
// unless one is open.
func (s *sqlSession) copyFrom(ctx context.Context, table, columns []string, rows iter.Seq[[]any], inTx bool) (n int64, err error) {
	if !inTx {
		if err := s.begin(ctx, txOptions{}); err != nil {
			return 0, err
		}
		defer func() {
			if err == nil {
				err = s.commit(ctx)
			}
			if err != nil {
				n = 0
				if rerr := s.rollback(context.WithoutCancel(ctx)); rerr != nil {
					s.unfit = true
				}
			}
		}()
	}
	// The statement's placeholders stay under SQLite's limit of 32,766.
	batch := max(1, min(500, 32000/len(columns)))
	stmts := map[int]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	return copyBatches(columns, rows, batch, func(vals []any, n int) error {
		st := stmts[n]
		if st == nil {
			var err error
			if st, err = s.conn.PrepareContext(ctx, insertSQL(table, columns, n, s.b.d.quote)); err != nil {
				return err
			}
			stmts[n] = st
		}
		dctx, stop := s.b.d.watch(ctx, s.raw)
		_, err := st.ExecContext(dctx, vals...)
		if !stop() {
			s.unfit = true
		}
		return err
	})
}

func (s *sqlSession) begin(ctx context.Context, o txOptions) error {
	s.endTx = s.b.d.endSQL(o)
	for _, q := range s.b.d.beginSQL(o) {
		if _, err := s.exec(ctx, q, nil); err != nil {
			return err
		}
	}
	return nil
}

func (s *sqlSession) commit(ctx context.Context) error {
	_, err := s.exec(ctx, "COMMIT", nil)
	if err == nil {
		s.afterTx(ctx)
	}
	return err
}

func (s *sqlSession) rollback(ctx context.Context) error {
	_, err := s.exec(ctx, "ROLLBACK", nil)
	s.afterTx(ctx)
	return err
}

// afterTx undoes the session settings of the transaction that ended; a
// connection it fails on is not pooled again, as it would keep them.
func (s *sqlSession) afterTx(ctx context.Context) {
	for _, q := range s.endTx {
		if _, err := s.exec(context.WithoutCancel(ctx), q, nil); err != nil {
			s.unfit = true
		}
	}
	s.endTx = nil
}

func (s *sqlSession) driver() any { return s.conn }

func (s *sqlSession) release(broken bool) bool {
	closed := broken || s.unfit
	if closed {
		// database/sql closes a connection whose Raw call returns
		// ErrBadConn instead of pooling it.
		s.conn.Raw(func(any) error { return errBadConn })
	}
	s.conn.Close()
	return closed
}

// sqlCursor is database/sql's rows.
type sqlCursor struct {
	s    *sqlSession
	rows *sql.Rows
	cols []string
	stop func() bool
	done bool
}

func (c *sqlCursor) columns() []string     { return c.cols }
func (c *sqlCursor) next() bool            { return c.rows.Next() }
func (c *sqlCursor) scan(dest []any) error { return c.rows.Scan(dest...) }
func (c *sqlCursor) err() error            { return c.rows.Err() }

func (c *sqlCursor) close() error {
	err := c.rows.Close()
	if rerr := c.rows.Err(); rerr != nil {
		err = rerr
	}
	c.end()
	return err
}

func (c *sqlCursor) end() {
	if !c.done {
		c.done = true
		if !c.stop() {
			c.s.unfit = true
		}
	}
}

func (c *sqlCursor) closeEarly(ctx context.Context) bool {
	// Cancelling the watch's context stops the statement on the server
	// (an interrupt or a KILL QUERY), so closing reads no more rows.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, stop := c.s.b.d.watch(cctx, c.s.raw)
	c.rows.Close()
	fit := stop()
	c.end()
	return fit && !c.s.unfit
}

// errBadConn makes database/sql close a connection (see release).
var errBadConn = fmt.Errorf("db: connection unfit after a cancelled statement: %w", driver.ErrBadConn)
