package db

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
)

// pgBackend is PostgreSQL through pgx's own pool, which keeps its binary
// codecs, statement cache, LISTEN/NOTIFY and COPY.
type pgBackend struct {
	pool *pgxpool.Pool
	cfg  *pgxpool.Config
}

func openPostgres(ctx context.Context, p *Pool, url string) (backend, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	c := &p.cfg
	pc.MaxConns = int32(c.maxConns)
	pc.MinConns = int32(c.minConns)
	pc.MaxConnIdleTime = forever(c.maxIdleTime)
	pc.MaxConnLifetime = forever(c.maxLifetime)
	switch {
	case c.stmtCache > 0:
		pc.ConnConfig.StatementCacheCapacity = c.stmtCache
	case c.stmtCache == 0:
		pc.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeDescribeExec
	}
	// A cancelled context sends the server a cancel request, so the query
	// stops there and the connection stays usable; only if the server has
	// not answered within the grace is the connection cut.
	grace := c.cancelGrace
	pc.ConnConfig.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: grace}
	}
	if c.onConnect != nil {
		hook := c.onConnect
		pc.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
			return hook(ctx, inlineConn(p, &pgSession{conn: conn}))
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, err
	}
	return &pgBackend{pool: pool, cfg: pc}, nil
}

// forever turns "0 for never" into pgx's "a very long time".
func forever(d time.Duration) time.Duration {
	if d <= 0 {
		return math.MaxInt64
	}
	return d
}

func (b *pgBackend) acquire(ctx context.Context) (session, error) {
	c, err := b.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	return &pgSession{pc: c, conn: c.Conn()}, nil
}

func (b *pgBackend) counts() (open, idle int) {
	s := b.pool.Stat()
	return int(s.TotalConns()), int(s.IdleConns())
}

func (b *pgBackend) close() { b.pool.Close() }

func (b *pgBackend) classify(err error) (error, bool) {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		return nil, false
	}
	switch pe.Code {
	case "23505":
		return ErrUniqueViolation, true
	case "23503":
		return ErrForeignKeyViolation, true
	case "23502":
		return ErrNotNullViolation, true
	case "23514":
		return ErrCheckViolation, true
	case "40001":
		return ErrSerialization, true
	case "40P01":
		return ErrDeadlock, true
	}
	return nil, true
}

// pgSession is a connection of pgx's pool (pc), or a bare connection
// being set up by OnConnect (pc nil).
type pgSession struct {
	pc   *pgxpool.Conn
	conn *pgx.Conn
}

func (s *pgSession) exec(ctx context.Context, sql string, args []any) (int64, error) {
	tag, err := s.conn.Exec(ctx, sql, args...)
	return tag.RowsAffected(), err
}

func (s *pgSession) query(ctx context.Context, sql string, args []any) (cursor, error) {
	rows, err := s.conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	return &pgCursor{rows: rows, conn: s.conn}, nil
}

func (s *pgSession) copyFrom(ctx context.Context, table, columns []string, rows iter.Seq[[]any], _ bool) (int64, error) {
	next, stop := iter.Pull(rows)
	defer stop()
	src := pgx.CopyFromFunc(func() ([]any, error) {
		row, ok := next()
		if !ok {
			return nil, nil
		}
		if len(row) != len(columns) {
			return nil, fmt.Errorf("db: CopyFrom: a row has %d values for %d columns", len(row), len(columns))
		}
		return row, nil
	})
	return s.conn.CopyFrom(ctx, pgx.Identifier(table), columns, src)
}

func (s *pgSession) begin(ctx context.Context, o txOptions) error {
	sql := "BEGIN"
	if o.isolation != DefaultIsolation {
		sql += " ISOLATION LEVEL " + o.isolation.String()
	}
	if o.readOnly {
		sql += " READ ONLY"
	}
	_, err := s.conn.Exec(ctx, sql)
	return err
}

func (s *pgSession) commit(ctx context.Context) error {
	tag, err := s.conn.Exec(ctx, "COMMIT")
	if err == nil && tag.String() == "ROLLBACK" {
		// A transaction that had failed is rolled back by COMMIT.
		return errors.New("db: transaction was aborted by an earlier error and rolled back")
	}
	return err
}

func (s *pgSession) rollback(ctx context.Context) error {
	_, err := s.conn.Exec(ctx, "ROLLBACK")
	return err
}

func (s *pgSession) driver() any { return s.conn }

func (s *pgSession) release(broken bool) {
	if broken {
		// Closing the connection makes the pool drop it on release.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.conn.Close(ctx)
		cancel()
	}
	if s.pc != nil {
		s.pc.Release()
	}
}

// pgCursor is pgx's rows.
type pgCursor struct {
	rows pgx.Rows
	conn *pgx.Conn
}

func (c *pgCursor) columns() []string {
	fds := c.rows.FieldDescriptions()
	cols := make([]string, len(fds))
	for i, fd := range fds {
		cols[i] = fd.Name
	}
	return cols
}

func (c *pgCursor) next() bool            { return c.rows.Next() }
func (c *pgCursor) scan(dest []any) error { return c.rows.Scan(dest...) }
func (c *pgCursor) err() error            { return c.rows.Err() }

func (c *pgCursor) close() error {
	c.rows.Close()
	return c.rows.Err()
}

func (c *pgCursor) closeEarly(ctx context.Context) bool {
	// Reading the rest of a large result to close it could take long:
	// cancel the query on the server and read only until it stops.
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.conn.PgConn().CancelRequest(cctx); err != nil {
		return false
	}
	c.rows.Close()
	var pe *pgconn.PgError
	if !errors.As(c.rows.Err(), &pe) || pe.Code != "57014" {
		// The query ended before the request reached it, which may still
		// be on its way to the server and would cancel the connection's
		// next query: let it arrive first, while the connection is idle
		// (an idle server process ignores a cancel).
		time.Sleep(100 * time.Millisecond)
	}
	return !c.conn.IsClosed() && !c.conn.PgConn().IsBusy()
}
