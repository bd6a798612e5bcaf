package db

import (
	"context"
	"errors"
	"time"
)

// observe counts and logs a statement that took d.
func (p *Pool) observe(ctx context.Context, sql string, d time.Duration, err error) {
	if p.cfg.slow <= 0 || d < p.cfg.slow {
		return
	}
	p.slow.Add(1)
	args := []any{"sql", shorten(sql, 200), "duration", d, "db", p.kind}
	if err != nil {
		args = append(args, "err", err)
	}
	p.cfg.logger.WarnContext(ctx, "db: slow query", args...)
}

// wrap makes a failure the server reported an *Error naming the
// statement; other errors pass as they are.
func (p *Pool) wrap(sql string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	kind, server := p.be.classify(err)
	if !server {
		return err
	}
	return &Error{SQL: shorten(sql, 200), Kind: kind, Err: err}
}
