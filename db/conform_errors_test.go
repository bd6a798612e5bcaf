package db_test

import (
	"context"
	"errors"
	"testing"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
)

// driverCode returns the code of the driver's own error in err: the
// SQLSTATE of PostgreSQL, the error number of MariaDB, the extended
// result code of SQLite; "" if err holds none.
func driverCode(err error) any {
	var pe *pgconn.PgError
	var me *mysql.MySQLError
	var se *sqlite.Error
	switch {
	case errors.As(err, &pe):
		return pe.Code
	case errors.As(err, &me):
		return int(me.Number)
	case errors.As(err, &se):
		return se.Code()
	}
	return ""
}

// TestErrorKinds breaks each kind of constraint and checks both the kind
// (errors.Is) and the driver's error (errors.As).
func TestErrorKinds(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			exec(t, ctx, p, "DROP TABLE IF EXISTS dbc_child")
			parent := table(t, ctx, p, "parent", "id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL UNIQUE, n INTEGER CHECK (n > 0)")
			child := table(t, ctx, p, "child", "id INTEGER PRIMARY KEY, parent INTEGER NOT NULL REFERENCES "+parent+" (id)")
			exec(t, ctx, p, "INSERT INTO "+parent+" VALUES (1, 'a', 1)")
			for _, c := range []struct {
				name, sql string
				kind      error
				// want codes for sqlite, postgres, mysql
				codes [3]any
			}{
				{"unique", "INSERT INTO " + parent + " VALUES (2, 'a', 1)", db.ErrUniqueViolation, [3]any{2067, "23505", 1062}},
				{"primary key", "INSERT INTO " + parent + " VALUES (1, 'b', 1)", db.ErrUniqueViolation, [3]any{1555, "23505", 1062}},
				{"foreign key", "INSERT INTO " + child + " VALUES (1, 42)", db.ErrForeignKeyViolation, [3]any{787, "23503", 1452}},
				{"not null", "INSERT INTO " + parent + " VALUES (3, NULL, 1)", db.ErrNotNullViolation, [3]any{1299, "23502", 1048}},
				{"check", "INSERT INTO " + parent + " VALUES (4, 'd', 0)", db.ErrCheckViolation, [3]any{275, "23514", 4025}},
			} {
				_, err := p.Exec(ctx, c.sql)
				if !errors.Is(err, c.kind) {
					t.Errorf("%s: %v, want errors.Is %v", c.name, err, c.kind)
				}
				var dbe *db.Error
				if !errors.As(err, &dbe) || dbe.Kind != c.kind || dbe.SQL != c.sql {
					t.Errorf("%s: %#v, want a *db.Error of that kind naming the statement", c.name, err)
				}
				want := c.codes[map[string]int{"sqlite": 0, "postgres": 1, "mysql": 2}[p.Kind()]]
				if got := driverCode(err); got != want {
					t.Errorf("%s: driver code %v, want %v", c.name, got, want)
				}
			}
			_, err := p.Exec(ctx, "SELEKT 1")
			var dbe *db.Error
			if !errors.As(err, &dbe) || dbe.Kind != nil || driverCode(err) == "" {
				t.Errorf("syntax error: %#v, want a *db.Error of no kind over the driver's error", err)
			}
			for _, kind := range []error{db.ErrUniqueViolation, db.ErrSerialization, db.ErrDeadlock} {
				if errors.Is(err, kind) {
					t.Errorf("syntax error is %v", kind)
				}
			}
			exec(t, ctx, p, "DROP TABLE "+child)
			wantIdle(t, settleStats(ctx, p))
			return nil
		})
	})
}
