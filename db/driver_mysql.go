package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-sql-driver/mysql"
)

// openMySQL opens "mysql://user:pass@host:port/db?param=value", the
// parameters being go-sql-driver/mysql's. Times are read as time.Time
// (parseTime) in UTC unless the URL says otherwise.
func openMySQL(ctx context.Context, p *Pool, raw string) (backend, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("db: mysql URL: %w", err)
	}
	c := mysql.NewConfig()
	if u.User != nil {
		c.User = u.User.Username()
		c.Passwd, _ = u.User.Password()
	}
	c.Net = "tcp"
	c.Addr = u.Host
	if u.Port() == "" {
		c.Addr = u.Host + ":3306"
	}
	if len(u.Path) > 1 {
		c.DBName = u.Path[1:]
	}
	c.ParseTime = true
	c.Loc = time.UTC
	// The parameters go through the driver's own DSN parser, which knows
	// them all.
	if u.RawQuery != "" {
		parsed, err := mysql.ParseDSN("/?" + u.RawQuery)
		if err != nil {
			return nil, fmt.Errorf("db: mysql URL parameters: %w", err)
		}
		q := u.Query()
		if q.Has("parseTime") {
			c.ParseTime = parsed.ParseTime
		}
		if q.Has("loc") {
			c.Loc = parsed.Loc
		}
		for k, v := range parsed.Params {
			if c.Params == nil {
				c.Params = map[string]string{}
			}
			c.Params[k] = v
		}
		c.TLSConfig = parsed.TLSConfig
		c.Timeout, c.ReadTimeout, c.WriteTimeout = parsed.Timeout, parsed.ReadTimeout, parsed.WriteTimeout
		c.InterpolateParams = parsed.InterpolateParams
		c.MultiStatements = parsed.MultiStatements
		c.Collation = parsed.Collation
	}
	inner, err := mysql.NewConnector(c)
	if err != nil {
		return nil, err
	}
	d := &mysqlDialect{connector: inner, grace: p.cfg.cancelGrace}
	return newSQLBackend(p, sql.OpenDB(sqlConnector{inner: inner, stmtCache: p.cfg.sqlStmtCache(), withArgsOnly: true}), d), nil
}

// mysqlDialect stops a cancelled statement with KILL QUERY, sent on a
// connection of its own: the driver itself would only close the
// connection, leaving the server to run the statement to its end.
type mysqlDialect struct {
	connector driver.Connector
	grace     time.Duration

	mu     sync.Mutex
	killer *sql.DB // opened on the first cancel
}

func (*mysqlDialect) quote(name string) string {
	return "`" + strings.ReplaceAll(name, "`", "``") + "`"
}

func (*mysqlDialect) beginSQL(o txOptions) []string {
	var out []string
	if o.isolation != DefaultIsolation {
		out = append(out, "SET TRANSACTION ISOLATION LEVEL "+o.isolation.String())
	}
	if o.readOnly {
		return append(out, "START TRANSACTION READ ONLY")
	}
	return append(out, "START TRANSACTION")
}

func (*mysqlDialect) endSQL(txOptions) []string { return nil }

func (*mysqlDialect) classify(err error) (error, bool) {
	var me *mysql.MySQLError
	if !errors.As(err, &me) {
		return nil, false
	}
	switch me.Number {
	case 1062, 1586: // ER_DUP_ENTRY, ER_DUP_ENTRY_WITH_KEY_NAME
		return ErrUniqueViolation, true
	case 1451, 1452, 1216, 1217: // ER_ROW_IS_REFERENCED_2, ER_NO_REFERENCED_ROW_2 and their old forms
		return ErrForeignKeyViolation, true
	case 1048, 1364: // ER_BAD_NULL_ERROR, ER_NO_DEFAULT_FOR_FIELD
		return ErrNotNullViolation, true
	case 3819, 4025: // MySQL's and MariaDB's check constraint violated
		return ErrCheckViolation, true
	case 1213: // ER_LOCK_DEADLOCK
		return ErrDeadlock, true
	}
	return nil, true
}

// setup learns the connection's id, for KILL QUERY.
func (*mysqlDialect) setup(ctx context.Context, c *sql.Conn, raw *sqlConn) error {
	return c.QueryRowContext(ctx, "SELECT CONNECTION_ID()").Scan(&raw.id)
}

// watch gives the driver a context that ctx does not cancel, and when
// ctx ends kills the statement; only if the server has not stopped it
// within the grace is the driver's context cancelled, which closes the
// connection.
func (d *mysqlDialect) watch(ctx context.Context, raw *sqlConn) (context.Context, func() bool) {
	if ctx.Done() == nil {
		return ctx, func() bool { return true }
	}
	dctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	killed := make(chan struct{})
	var timer *time.Timer
	var tmu sync.Mutex
	stopWatch := context.AfterFunc(ctx, func() {
		defer close(killed)
		tmu.Lock()
		timer = time.AfterFunc(d.grace, cancel)
		tmu.Unlock()
		d.kill(raw.id)
	})
	return dctx, func() bool {
		fit := true
		if !stopWatch() {
			// The kill was sent, or is being sent: wait for it, so that
			// it cannot reach the connection's next statement.
			<-killed
			tmu.Lock()
			timer.Stop()
			tmu.Unlock()
			fit = dctx.Err() == nil && d.drainKill(dctx, raw)
		}
		cancel()
		return fit
	}
}

// kill sends KILL QUERY for the connection id on the dialect's own
// connection.
func (d *mysqlDialect) kill(id int64) {
	d.mu.Lock()
	if d.killer == nil {
		d.killer = sql.OpenDB(d.connector)
		d.killer.SetMaxOpenConns(2)
	}
	k := d.killer
	d.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), d.grace)
	defer cancel()
	k.ExecContext(ctx, "KILL QUERY "+strconv.FormatInt(id, 10))
}

// drainKill runs an empty statement on a connection whose statement was
// killed: if the statement had ended before the kill arrived, the kill
// may be left pending on the connection and would stop its next
// statement; the probe takes it instead. It reports whether the
// connection answers.
func (d *mysqlDialect) drainKill(ctx context.Context, raw *sqlConn) bool {
	for range 2 {
		_, err := raw.ExecContext(ctx, "DO 0", nil)
		var me *mysql.MySQLError
		if err == nil {
			return true
		}
		if !errors.As(err, &me) || me.Number != 1317 { // ER_QUERY_INTERRUPTED
			return false
		}
	}
	return false
}

func (d *mysqlDialect) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.killer != nil {
		d.killer.Close()
	}
}
