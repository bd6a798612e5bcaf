package db

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// A Tx is a transaction in progress, handed to the function given to
// Pool.Tx. It is a Querier. It ends when that function returns: using it
// after that fails.
type Tx struct {
	l     *lease
	ended bool // guarded by being used from fn's task only
}

func (tx *Tx) lease(context.Context) (*lease, bool, error) {
	if tx.ended {
		return nil, false, errTxEnded
	}
	return tx.l, false, nil
}

var errTxEnded = errors.New("db: transaction already ended")

// Exec runs a statement that returns no rows in the transaction and
// reports how many rows it affected.
func (tx *Tx) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return execOn(ctx, tx, sql, args)
}

// An IsolationLevel is a transaction's isolation from the others.
type IsolationLevel int

// The isolation levels of SQL. The default is the database's: read
// committed for PostgreSQL, repeatable read for MariaDB; SQLite's
// transactions are always serializable and ignore the level.
const (
	DefaultIsolation IsolationLevel = iota
	ReadUncommitted
	ReadCommitted
	RepeatableRead
	Serializable
)

func (l IsolationLevel) String() string {
	switch l {
	case ReadUncommitted:
		return "READ UNCOMMITTED"
	case ReadCommitted:
		return "READ COMMITTED"
	case RepeatableRead:
		return "REPEATABLE READ"
	case Serializable:
		return "SERIALIZABLE"
	}
	return "DEFAULT"
}

// A TxOption configures a transaction.
type TxOption func(*txOptions)

type txOptions struct {
	isolation IsolationLevel
	readOnly  bool
	retries   int
}

// Isolation sets the transaction's isolation level.
func Isolation(l IsolationLevel) TxOption { return func(o *txOptions) { o.isolation = l } }

// ReadOnly makes the transaction read-only. On SQLite it also lets the
// transaction start without taking the write lock.
func ReadOnly() TxOption { return func(o *txOptions) { o.readOnly = true } }

// Retry runs the transaction again, up to n more times, when it fails
// with ErrSerialization or ErrDeadlock: the failures a serializable
// transaction is expected to meet now and then. Between attempts it waits
// a few milliseconds, doubling each time, on the loop's clock. The
// function must then be safe to run more than once: it should do nothing
// but through tx.
func Retry(n int) TxOption { return func(o *txOptions) { o.retries = n } }

// Tx runs fn in a transaction on a connection of the pool (asyncpg's
// conn.transaction()): it commits if fn returns nil and rolls back if fn
// returns an error, panics or its task is cancelled, and returns fn's
// error, or the commit's. The panic goes on after the rollback.
func (p *Pool) Tx(ctx context.Context, fn func(ctx context.Context, tx *Tx) error, opts ...TxOption) error {
	return runTx(ctx, p.lease, fn, opts)
}

// runTx is Tx on the connection lease gives, retrying as the options say.
func runTx(ctx context.Context, lease func(context.Context) (*lease, bool, error), fn func(ctx context.Context, tx *Tx) error, opts []TxOption) error {
	var o txOptions
	for _, opt := range opts {
		opt(&o)
	}
	backoff := 2 * time.Millisecond
	for attempt := 0; ; attempt++ {
		err := runTxOnce(ctx, lease, fn, o)
		if err == nil || attempt >= o.retries || ctx.Err() != nil ||
			!(errors.Is(err, ErrSerialization) || errors.Is(err, ErrDeadlock)) {
			return err
		}
		if err := sleep(ctx, backoff); err != nil {
			return err
		}
		backoff *= 2
	}
}

func runTxOnce(ctx context.Context, lease func(context.Context) (*lease, bool, error), fn func(ctx context.Context, tx *Tx) error, o txOptions) (err error) {
	l, owned, err := lease(ctx)
	if err != nil {
		return err
	}
	if err := l.call(ctx, "BEGIN", false, func(ctx context.Context, s session) error { return s.begin(ctx, o) }); err != nil {
		l.finish(ctx, "ROLLBACK", owned, true)
		return err
	}
	tx := &Tx{l: l}
	l.inTx = true
	defer func() {
		l.inTx = false
		tx.ended = true
		if r := recover(); r != nil {
			l.finish(ctx, "ROLLBACK", owned, true)
			panic(r)
		}
	}()
	if err := fn(ctx, tx); err != nil {
		l.finish(ctx, "ROLLBACK", owned, true)
		return err
	}
	if err := ctx.Err(); err != nil {
		l.finish(ctx, "ROLLBACK", owned, true)
		return err
	}
	return l.finish(ctx, "COMMIT", owned, false)
}

// finish commits or rolls back (rollback) the transaction on l and, if
// owned, ends l in the same hop. It runs even if the task was cancelled,
// with the pool's cancel grace as its time limit, and a connection whose
// transaction could not be ended is closed; a cancelled task does not
// wait for it.
func (l *lease) finish(ctx context.Context, sql string, owned, rollback bool) error {
	defer annotate(ctx, sql)()
	work := func() (struct{}, error) {
		l.mu.Lock()
		defer l.mu.Unlock()
		if owned {
			defer l.endLocked()
		}
		if l.s == nil || l.ended {
			return struct{}{}, nil
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), l.p.cfg.cancelGrace)
		defer cancel()
		var err error
		if rollback {
			err = l.s.rollback(cctx)
		} else if err = l.s.commit(ctx); err != nil && ctx.Err() == nil {
			// The commit failed but the connection may still be in the
			// transaction (a deferred constraint, say): end it.
			if rerr := l.s.rollback(cctx); rerr != nil {
				l.broken = true
			}
		}
		if err != nil && (rollback || ctx.Err() != nil) {
			l.broken = true
		}
		return struct{}{}, l.p.wrap(sql, err)
	}
	err := l.hop(ctx, work)
	if err != nil && rollback {
		// The caller returns its own error; a failed rollback only
		// closes the connection.
		return nil
	}
	if err != nil {
		return fmt.Errorf("db: commit: %w", err)
	}
	return nil
}
