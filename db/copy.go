package db

import (
	"context"
	"fmt"
	"iter"
	"strings"
)

// CopyFrom inserts rows into the columns of table in bulk and reports how
// many it inserted (asyncpg's copy_records_to_table): with PostgreSQL's
// COPY protocol, or, on SQLite and MariaDB, with INSERTs of many rows each
// in one transaction. Each row holds one value per column. table may be
// "schema.table"; names are quoted.
//
// rows is read on the pool's executor, as the rows are sent, so a large
// input need never be held at once; it must not wait on the loop. For rows
// in a slice, pass slices.Values(rows).
func (p *Pool) CopyFrom(ctx context.Context, table string, columns []string, rows iter.Seq[[]any]) (int64, error) {
	return copyOn(ctx, p, table, columns, rows)
}

// CopyFrom is Pool.CopyFrom in the transaction.
func (tx *Tx) CopyFrom(ctx context.Context, table string, columns []string, rows iter.Seq[[]any]) (int64, error) {
	return copyOn(ctx, tx, table, columns, rows)
}

// CopyFrom is Pool.CopyFrom on the connection.
func (c *Conn) CopyFrom(ctx context.Context, table string, columns []string, rows iter.Seq[[]any]) (int64, error) {
	return copyOn(ctx, c, table, columns, rows)
}

func copyOn(ctx context.Context, q Querier, table string, columns []string, rows iter.Seq[[]any]) (int64, error) {
	if len(columns) == 0 {
		return 0, fmt.Errorf("db: CopyFrom %s: no columns", table)
	}
	l, owned, err := q.lease(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = l.call(ctx, "COPY "+table, owned, func(ctx context.Context, s session) error {
		var err error
		n, err = s.copyFrom(ctx, strings.Split(table, "."), columns, rows, l.inTx)
		return err
	})
	return n, err
}

// copyBatches hands rows to insert in batches of up to batch rows, the
// values of a batch flat in one slice, and reports how many rows insert
// took before it failed or the rows ended.
func copyBatches(columns []string, rows iter.Seq[[]any], batch int, insert func(vals []any, n int) error) (int64, error) {
	var done int64
	vals := make([]any, 0, batch*len(columns))
	flush := func() error {
		n := len(vals) / len(columns)
		if n == 0 {
			return nil
		}
		if err := insert(vals, n); err != nil {
			return err
		}
		done += int64(n)
		vals = vals[:0]
		return nil
	}
	for row := range rows {
		if len(row) != len(columns) {
			return done, fmt.Errorf("db: CopyFrom: row %d has %d values for %d columns", done+int64(len(vals)/len(columns))+1, len(row), len(columns))
		}
		vals = append(vals, row...)
		if len(vals) == batch*len(columns) {
			if err := flush(); err != nil {
				return done, err
			}
		}
	}
	return done, flush()
}

// insertSQL is an INSERT of n rows of cols into table, with ? placeholders
// and names quoted by quote.
func insertSQL(table []string, cols []string, n int, quote func(string) string) string {
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	for i, part := range table {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(quote(part))
	}
	b.WriteString(" (")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(quote(c))
	}
	b.WriteString(") VALUES ")
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + ")"
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	return b.String()
}
