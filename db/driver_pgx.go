package db

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"sync"
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
	// dropping counts the connections taken out of the pool as dead
	// whose closing pgx still finishes (see pgSession.release); close
	// waits for them.
	dropping sync.WaitGroup
}

func openPostgres(ctx context.Context, p *Pool, url string) (backend, error) {
	pc, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	c := &p.cfg
	pc.MaxConns = int32(c.maxConns)
	// MinConns is not pgx's: pgx would open them in the background,
	// beside the ones warmPG opens, and report no failure. As with the
	// other databases, they are opened by Open and then kept like any
	// other connection.
	pc.MinConns = 0
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
	// Open promises MinConns opened, and a server that is down or an
	// OnConnect that fails reported.
	if err := warmPG(ctx, pool, c.minConns); err != nil {
		pool.Close()
		return nil, err
	}
	return &pgBackend{pool: pool, cfg: pc}, nil
}

// warmPG opens n connections of pool, holding each until all are open.
func warmPG(ctx context.Context, pool *pgxpool.Pool, n int) error {
	held := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range held {
			c.Release()
		}
	}()
	for range n {
		c, err := pool.Acquire(ctx)
		if err != nil {
			return err
		}
		held = append(held, c)
	}
	return nil
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
	return &pgSession{b: b, pc: c, conn: c.Conn()}, nil
}

func (b *pgBackend) counts() (open, idle int) {
	s := b.pool.Stat()
	return int(s.TotalConns()), int(s.IdleConns())
}

func (b *pgBackend) close() {
	b.pool.Close()
	b.dropping.Wait()
}

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

// failed closes the pool's idle connections when the server says it
// ended the connection for an operator or a shutdown (class 57, but for
// 57014, a cancelled query): pgx pings an idle connection before lending
// it only after a second of rest, so each of the others would otherwise
// fail a statement of its own first. A server that ended only this one
// connection costs the pool the others' reconnections.
func (b *pgBackend) failed(err error) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && strings.HasPrefix(pe.Code, "57") && pe.Code != "57014" {
		b.pool.Reset()
	}
}

// pgSession is a connection of pgx's pool (pc), or a bare connection
// being set up by OnConnect (pc nil).
type pgSession struct {
	b    *pgBackend // nil, as pc, for the connection OnConnect sets up
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

func (s *pgSession) release(broken bool) bool {
	// pgx closes a connection an error left unusable (a cut, a cancel
	// past its grace); its pool drops it on release.
	closed := broken || s.conn.IsClosed()
	if broken {
		// Closing the connection makes the pool drop it on release.
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		s.conn.Close(ctx)
		cancel()
	}
	switch {
	case s.pc == nil:
	case closed:
		// pgx closes a dead connection gently, reading what the server
		// still sends until it hangs up (up to 15 s: a cancel that did
		// not reach it leaves its statement running), and its pool
		// keeps the connection's place meanwhile: a pool of one would
		// wait that long for a new connection. The connection leaves
		// the pool at once instead, and finishes closing on its own;
		// this goroutine waits for that, for close.
		conn := s.pc.Hijack()
		s.b.dropping.Add(1)
		go func() {
			defer s.b.dropping.Done()
			<-conn.PgConn().CleanupDone()
		}()
	default:
		s.pc.Release()
	}
	return closed
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
	if c.conn.PgConn().TxStatus() != 'I' {
		// In a transaction, a cancelled statement aborts it: the rest
		// is read and dropped instead.
		c.rows.Close()
		return !c.conn.IsClosed()
	}
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
