package db

import (
	"context"
	"fmt"
	"strings"

	"github.com/asyncio-go/asyncio"
)

// Open opens a pool for the database the URL names (asyncpg's
// create_pool):
//
//	sqlite:PATH, sqlite::memory:        SQLite, embedded: no server
//	postgres://user:pass@host:port/db   PostgreSQL (also postgresql://)
//	mysql://user:pass@host:port/db      MariaDB or MySQL
//
// Options after a "?" go to the driver. Open checks the URL and, with
// MinConns, opens that many connections before it returns; otherwise
// connections open when first needed, so a server that is down shows at
// the first statement. Called from a task, Open suspends it while it
// connects.
func Open(ctx context.Context, url string, opts ...Option) (*Pool, error) {
	p := &Pool{cfg: defaultConfig()}
	for _, o := range opts {
		o(&p.cfg)
	}
	c := &p.cfg
	switch {
	case c.maxConns < 1:
		return nil, fmt.Errorf("db: MaxConns(%d): want at least 1", c.maxConns)
	case c.minConns < 0 || c.minConns > c.maxConns:
		return nil, fmt.Errorf("db: MinConns(%d): want 0 to MaxConns (%d)", c.minConns, c.maxConns)
	case c.cancelGrace <= 0:
		return nil, fmt.Errorf("db: CancelGrace(%v): want a positive duration", c.cancelGrace)
	}
	p.gate = asyncio.NewSemaphore(c.maxConns)
	p.exec = asyncio.NewThreadPool(c.maxConns)
	scheme, rest, ok := strings.Cut(url, ":")
	if !ok {
		return nil, fmt.Errorf("db: %q is not a database URL (sqlite:PATH, postgres://..., mysql://...)", redact(url))
	}
	var open func() (backend, error)
	switch strings.ToLower(scheme) {
	case "sqlite", "sqlite3":
		p.kind = "sqlite"
		open = func() (backend, error) { return openSQLite(ctx, p, rest) }
	case "postgres", "postgresql":
		p.kind = "postgres"
		open = func() (backend, error) { return openPostgres(ctx, p, url) }
	case "mysql", "mariadb":
		p.kind = "mysql"
		open = func() (backend, error) { return openMySQL(ctx, p, url) }
	default:
		return nil, fmt.Errorf("db: unknown database %q in %q (sqlite, postgres or mysql)", scheme, redact(url))
	}
	be, err := asyncio.RunInExecutor(ctx, p.exec, func() (backend, error) {
		be, err := open()
		if err != nil {
			return nil, err
		}
		if sb, ok := be.(*sqlBackend); ok && c.minConns > 0 {
			if err := sb.warm(ctx, c.minConns); err != nil {
				be.close()
				return nil, err
			}
		}
		return be, nil
	})
	if err != nil {
		p.exec.Shutdown(context.Background())
		return nil, fmt.Errorf("db: open %s: %w", redact(url), err)
	}
	p.be = be
	return p, nil
}

// redact hides the password of a URL, for errors and logs.
func redact(url string) string {
	scheme, rest, ok := strings.Cut(url, "://")
	if !ok {
		return url
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return url
	}
	user, _, hasPass := strings.Cut(rest[:at], ":")
	if !hasPass {
		return url
	}
	return scheme + "://" + user + ":xxxxx" + rest[at:]
}
