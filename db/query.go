package db

import (
	"context"
	"iter"
)

// A Querier runs statements: a *Pool, which lends a connection for each,
// a *Conn and a *Tx, which run them on theirs. Query, QueryRow and Rows
// take any of them.
type Querier interface {
	// lease returns the connection for a run of calls, and whether the
	// calls own it: a statement on a pool ends its lease, one on a Conn
	// or a Tx does not.
	lease(ctx context.Context) (l *lease, owned bool, err error)
}

func (p *Pool) lease(ctx context.Context) (*lease, bool, error) {
	if err := p.admit(ctx); err != nil {
		return nil, false, err
	}
	return &lease{p: p}, true, nil
}

// Exec runs a statement that returns no rows and reports how many rows it
// affected.
func (p *Pool) Exec(ctx context.Context, sql string, args ...any) (int64, error) {
	return execOn(ctx, p, sql, args)
}

// execOn is Exec on any Querier.
func execOn(ctx context.Context, q Querier, sql string, args []any) (int64, error) {
	l, owned, err := q.lease(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = l.call(ctx, sql, owned, func(ctx context.Context, s session) error {
		var err error
		n, err = s.exec(ctx, sql, args)
		return err
	})
	return n, err
}

// Query runs a query and returns all its rows as Ts (asyncpg's fetch).
// T is a struct whose fields take the columns of the same name (field tag
// `db:"name"`, else the field's name lower-cased; embedded structs are
// searched too), or a scalar such as int64, string, time.Time or
// JSON[X] for a one-column result. A column no field takes is an error;
// a field no column names is left zero. NULL goes into a pointer or a
// sql.Null* field.
func Query[T any](ctx context.Context, q Querier, sql string, args ...any) ([]T, error) {
	l, owned, err := q.lease(ctx)
	if err != nil {
		return nil, err
	}
	var out []T
	err = l.call(ctx, sql, owned, func(ctx context.Context, s session) error {
		c, err := s.query(ctx, sql, args)
		if err != nil {
			return err
		}
		out, _, err = fetch[T](c, 0, out)
		if cerr := c.close(); err == nil {
			err = cerr
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// QueryRow runs a query and returns its first row as a T (asyncpg's
// fetchrow), or ErrNoRows. T is as for Query.
func QueryRow[T any](ctx context.Context, q Querier, sql string, args ...any) (T, error) {
	var v T
	l, owned, err := q.lease(ctx)
	if err != nil {
		return v, err
	}
	err = l.call(ctx, sql, owned, func(ctx context.Context, s session) error {
		c, err := s.query(ctx, sql, args)
		if err != nil {
			return err
		}
		var got []T
		got, _, err = fetch[T](c, 1, make([]T, 0, 1))
		if cerr := c.close(); err == nil {
			err = cerr
		}
		if err == nil && len(got) == 0 {
			err = ErrNoRows
		}
		if err == nil {
			v = got[0]
		}
		return err
	})
	return v, err
}

// fetch appends to out up to max rows of c (all with max 0) and reports
// whether c has ended.
func fetch[T any](c cursor, max int, out []T) ([]T, bool, error) {
	plan, err := planFor[T](c.columns())
	if err != nil {
		return out, false, err
	}
	dest := make([]any, 0, len(plan.fields)+1)
	for n := 0; max == 0 || n < max; n++ {
		if !c.next() {
			return out, true, c.err()
		}
		out = append(out, *new(T))
		if err := c.scan(plan.targets(&out[len(out)-1], dest)); err != nil {
			return out[:len(out)-1], false, err
		}
	}
	return out, false, nil
}

// rowsBatch is how many rows Rows fetches in one hop off the loop.
const rowsBatch = 256

// Rows runs a query and yields its rows one by one as they are fetched,
// for results too large to hold at once (asyncpg's cursor). T is as for
// Query. Rows from a *Pool holds a connection only while the loop runs:
// it is released when the rows end, when the loop breaks (the query is
// then cancelled on the server, if rows remain) and on an error, which
// is yielded last with a zero T.
//
// Rows are fetched in batches of 256 rows per hop off the loop.
func Rows[T any](ctx context.Context, q Querier, sql string, args ...any) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		l, owned, err := q.lease(ctx)
		if err != nil {
			yield(zero, err)
			return
		}
		st := &rowStream[T]{sql: sql, args: args}
		defer st.finish(ctx, l, owned)
		for {
			// After an error the batch is not read: the hop may still be
			// running, if the task was cancelled.
			if err := l.call(ctx, sql, false, st.next); err != nil {
				yield(zero, err)
				return
			}
			for _, v := range st.batch {
				if !yield(v, nil) {
					return
				}
			}
			if st.done {
				return
			}
		}
	}
}

// A rowStream is the state of Rows between hops.
type rowStream[T any] struct {
	sql   string
	args  []any
	c     cursor
	batch []T
	done  bool
}

// next fetches the next batch, starting the query on the first call.
func (st *rowStream[T]) next(ctx context.Context, s session) error {
	if st.c == nil {
		c, err := s.query(ctx, st.sql, st.args)
		if err != nil {
			st.done = true
			return err
		}
		st.c = c
	}
	var err error
	st.batch, st.done, err = fetch[T](st.c, rowsBatch, st.batch[:0])
	if st.done || err != nil {
		cerr := st.c.close()
		st.c = nil
		st.done = true
		if err == nil {
			err = cerr
		}
	}
	return err
}

// finish ends what Rows leaves, on the executor after any hop still
// running: a query left before its end (the loop broke, or the task was
// cancelled) is closed without reading the rows left, which cancels it
// on the server; then the lease ends, if Rows owns it.
func (st *rowStream[T]) finish(ctx context.Context, l *lease, owned bool) {
	ctx = context.WithoutCancel(ctx)
	work := func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		if st.c != nil {
			if !st.c.closeEarly(ctx) {
				l.broken = true
			}
			st.c = nil
		}
		if owned {
			l.endLocked()
		}
	}
	if l.inline {
		work()
	} else if err := l.p.exec.Submit(work); err != nil {
		panic("db: rows ended after their pool closed")
	}
}
