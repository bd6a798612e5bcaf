package db

import (
	"context"
	"database/sql/driver"
	"strings"
)

// A stmtCache keeps the prepared statements of one database/sql
// connection, by their SQL, as pgx and Python's sqlite3 keep theirs:
// SQLite then parses a statement once rather than on every call (a
// quarter of a point read's CPU), and MariaDB runs it with one round trip
// rather than a prepare and an execute. database/sql calls a connection
// from one goroutine at a time, so it needs no lock; a statement whose
// rows are still open when its SQL comes again is busy, and the call
// runs uncached.
type stmtCache struct {
	max int
	// withArgsOnly keeps only statements that take arguments: MariaDB's
	// driver sends one without arguments as text, in one round trip, and
	// it shows in the server's process list as a query, not an execute.
	withArgsOnly bool
	stmts        map[string]*cachedStmt
}

type cachedStmt struct {
	sql  string
	st   driver.Stmt
	busy bool
}

// take returns the statement for query, prepared on conn if need be and
// marked busy, or nil when the call should not use the cache.
func (c *stmtCache) take(ctx context.Context, conn driver.Conn, query string, nargs int) *cachedStmt {
	if c.max <= 0 || (c.withArgsOnly && nargs == 0) || !cacheable(query) {
		return nil
	}
	if cs, ok := c.stmts[query]; ok {
		if cs.busy {
			return nil
		}
		cs.busy = true
		return cs
	}
	p, ok := conn.(driver.ConnPrepareContext)
	if !ok {
		return nil
	}
	st, err := p.PrepareContext(ctx, query)
	if err != nil {
		// The uncached call reports the error, as the driver words it.
		return nil
	}
	if _, ok := st.(driver.StmtQueryContext); !ok {
		st.Close()
		return nil
	}
	if _, ok := st.(driver.StmtExecContext); !ok {
		st.Close()
		return nil
	}
	if c.stmts == nil {
		c.stmts = make(map[string]*cachedStmt)
	}
	if len(c.stmts) >= c.max {
		c.evict()
	}
	cs := &cachedStmt{sql: query, st: st, busy: true}
	c.stmts[query] = cs
	return cs
}

// put marks cs free again.
func (c *stmtCache) put(cs *cachedStmt) { cs.busy = false }

// evict closes a free statement to make room: any one, as a map gives
// them, which keeps the cache's cost flat; a program that runs more
// distinct statements than the cache holds pays a prepare now and then.
func (c *stmtCache) evict() {
	for q, cs := range c.stmts {
		if !cs.busy {
			cs.st.Close()
			delete(c.stmts, q)
			return
		}
	}
}

func (c *stmtCache) closeAll() {
	for q, cs := range c.stmts {
		cs.st.Close()
		delete(c.stmts, q)
	}
}

// cacheable reports whether query is one statement: a prepared statement
// runs only its first.
func cacheable(query string) bool {
	i := strings.IndexByte(query, ';')
	return i < 0 || strings.TrimSpace(query[i+1:]) == ""
}

// cachedRows are the rows of a cached statement, which is free again once
// they are closed.
type cachedRows struct {
	driver.Rows
	done func()
}

func (r *cachedRows) Close() error {
	err := r.Rows.Close()
	if r.done != nil {
		r.done()
		r.done = nil
	}
	return err
}

func (r *cachedRows) HasNextResultSet() bool {
	n, ok := r.Rows.(driver.RowsNextResultSet)
	return ok && n.HasNextResultSet()
}

func (r *cachedRows) NextResultSet() error {
	if n, ok := r.Rows.(driver.RowsNextResultSet); ok {
		return n.NextResultSet()
	}
	return driver.ErrSkip
}

func (r *cachedRows) ColumnTypeDatabaseTypeName(i int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(i)
	}
	return ""
}
