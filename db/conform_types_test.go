package db_test

import (
	"bytes"
	"context"
	"database/sql"
	"math"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/db"
)

// TestTypes writes values of each kind with Exec and reads them back with
// Query and QueryRow, into struct fields and scalars.
func TestTypes(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			cols := pick(p,
				"id INTEGER PRIMARY KEY, i BIGINT, f REAL, d NUMERIC(10,2), s TEXT, b BLOB, ts DATETIME, ok BOOLEAN, j TEXT",
				"id INTEGER PRIMARY KEY, i BIGINT, f DOUBLE PRECISION, d NUMERIC(10,2), s TEXT, b BYTEA, ts TIMESTAMPTZ, ok BOOLEAN, j JSONB",
				"id INTEGER PRIMARY KEY, i BIGINT, f DOUBLE, d DECIMAL(10,2), s TEXT CHARACTER SET utf8mb4, b LONGBLOB, ts DATETIME(6), ok BOOLEAN, j JSON")
			tb := table(t, ctx, p, "types", cols)
			paris, err := time.LoadLocation("Europe/Paris")
			if err != nil {
				t.Fatal(err)
			}
			// Microseconds: what PostgreSQL and DATETIME(6) keep.
			when := time.Date(2024, 7, 14, 22, 30, 15, 123456000, paris)
			type row struct {
				ID int64
				I  int64
				F  float64
				D  string
				S  string
				B  []byte
				TS time.Time
				OK bool
				J  string
			}
			in := []row{
				{1, math.MaxInt64, math.Pi, "12345678.90", "héllo, 世界 🌍", []byte{0, 1, 0, 255, 0}, when, true, `{"a": [1, 2]}`},
				{2, math.MinInt64, -0.5e-300, "-0.05", "", []byte{}, when.Add(-366 * 24 * time.Hour), false, `[]`},
			}
			for _, r := range in {
				_, err := p.Exec(ctx, dialect(p, "INSERT INTO "+tb+" (id, i, f, d, s, b, ts, ok, j) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
					r.ID, r.I, r.F, r.D, r.S, r.B, r.TS, r.OK, r.J)
				if err != nil {
					t.Fatalf("insert %d: %v", r.ID, err)
				}
			}
			// Decimals read as text in PostgreSQL's own syntax; JSONB
			// normalizes its text, so the JSON is compared after a cast
			// to text for all.
			out, err := db.Query[row](ctx, p, "SELECT id, i, f, "+pick(p, "d", "d::text AS d", "d")+", s, b, ts, ok, "+pick(p, "j", "j::text AS j", "j")+" FROM "+tb+" ORDER BY id")
			if err != nil {
				t.Fatalf("query: %v", err)
			}
			if len(out) != len(in) {
				t.Fatalf("got %d rows, want %d", len(out), len(in))
			}
			for i, got := range out {
				want := in[i]
				if got.ID != want.ID || got.I != want.I || got.F != want.F || got.S != want.S || got.OK != want.OK {
					t.Errorf("row %d: got %+v, want %+v", i, got, want)
				}
				// An empty BLOB reads back as nil from modernc.org/sqlite
				// (sqlite3_column_blob gives no pointer for zero bytes);
				// the value is still no NULL, as checked below.
				if !bytes.Equal(got.B, want.B) || got.B == nil && p.Kind() != "sqlite" {
					t.Errorf("row %d: bytes %v, want %v", i, got.B, want.B)
				}
				if !got.TS.Equal(want.TS) {
					t.Errorf("row %d: time %v, want the instant %v", i, got.TS, want.TS)
				}
				if got.J != want.J && !(p.Kind() == "postgres" && got.J == `{"a": [1, 2]}`) {
					t.Errorf("row %d: json %q, want %q", i, got.J, want.J)
				}
				if p.Kind() != "sqlite" && got.D != want.D {
					// SQLite's NUMERIC affinity stores a REAL:
					// -0.05 reads back as "-0.05", 12345678.9 as "12345678.9".
					t.Errorf("row %d: decimal %q, want %q", i, got.D, want.D)
				}
			}
			if n, err := db.QueryRow[int64](ctx, p, "SELECT COUNT(*) FROM "+tb+" WHERE b IS NOT NULL"); err != nil || n != 2 {
				t.Errorf("an empty blob is not NULL: %d rows of 2 non-NULL, %v", n, err)
			}
			// Scalars: each kind alone, into a one-column result.
			if v, err := db.QueryRow[int64](ctx, p, "SELECT i FROM "+tb+" WHERE id = 2"); err != nil || v != math.MinInt64 {
				t.Errorf("int64: %d, %v", v, err)
			}
			if v, err := db.QueryRow[float64](ctx, p, "SELECT d FROM "+tb+" WHERE id = 1"); err != nil || v != 12345678.90 {
				t.Errorf("decimal into float64: %v, %v", v, err)
			}
			if v, err := db.QueryRow[string](ctx, p, "SELECT s FROM "+tb+" WHERE id = 1"); err != nil || v != in[0].S {
				t.Errorf("string: %q, %v", v, err)
			}
			if v, err := db.QueryRow[[]byte](ctx, p, "SELECT b FROM "+tb+" WHERE id = 1"); err != nil || !bytes.Equal(v, in[0].B) {
				t.Errorf("bytes: %v, %v", v, err)
			}
			if v, err := db.QueryRow[time.Time](ctx, p, "SELECT ts FROM "+tb+" WHERE id = 1"); err != nil || !v.Equal(when) {
				t.Errorf("time: %v, %v", v, err)
			}
			if v, err := db.QueryRow[bool](ctx, p, "SELECT ok FROM "+tb+" WHERE id = 1"); err != nil || !v {
				t.Errorf("bool: %v, %v", v, err)
			}
			if v, err := db.QueryRow[[]byte](ctx, p, "SELECT "+pick(p, "j", "j::text", "j")+" FROM "+tb+" WHERE id = 2"); err != nil || string(v) != "[]" {
				t.Errorf("json into []byte: %q, %v", v, err)
			}
			// Decimals into string as the driver gives them: PostgreSQL's
			// pgx formats NUMERIC itself.
			if v, err := db.QueryRow[string](ctx, p, "SELECT d FROM "+tb+" WHERE id = 2"); err != nil || v != "-0.05" {
				t.Errorf("decimal into string: %q, %v", v, err)
			}
			return nil
		})
	})
}

// TestNulls reads NULL into pointers and sql.Null* fields, and a non-NULL
// value through the same types.
func TestNulls(t *testing.T) {
	eachDB(t, func(t *testing.T, url string) {
		asynciotest.Run(t, func(ctx context.Context) error {
			p, done := openPool(t, ctx, url)
			defer done()
			tb := table(t, ctx, p, "nulls", "id INTEGER PRIMARY KEY, n BIGINT, s TEXT, ts "+pick(p, "DATETIME", "TIMESTAMPTZ", "DATETIME(6)"))
			exec(t, ctx, p, "INSERT INTO "+tb+" (id) VALUES (1)", "INSERT INTO "+tb+" (id, n, s) VALUES (2, 7, 'x')")
			type row struct {
				ID int64
				N  *int64
				S  sql.NullString
				TS sql.NullTime
				NS *string `db:"s2"`
				NN sql.NullInt64
			}
			rows, err := db.Query[row](ctx, p, "SELECT id, n, s, ts, s AS s2, n AS nn FROM "+tb+" ORDER BY id")
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 {
				t.Fatalf("%d rows", len(rows))
			}
			if r := rows[0]; r.N != nil || r.S.Valid || r.TS.Valid || r.NS != nil || r.NN.Valid {
				t.Errorf("NULLs: %+v", r)
			}
			if r := rows[1]; r.N == nil || *r.N != 7 || r.S != (sql.NullString{String: "x", Valid: true}) || r.NS == nil || *r.NS != "x" || r.NN.Int64 != 7 || !r.NN.Valid {
				t.Errorf("values: %+v", r)
			}
			if v, err := db.QueryRow[*int64](ctx, p, "SELECT n FROM "+tb+" WHERE id = 1"); err != nil || v != nil {
				t.Errorf("NULL into *int64: %v, %v", v, err)
			}
			if v, err := db.QueryRow[sql.NullString](ctx, p, "SELECT s FROM "+tb+" WHERE id = 2"); err != nil || v.String != "x" || !v.Valid {
				t.Errorf("sql.NullString scalar: %v, %v", v, err)
			}
			// NULL into a plain int64 is an error, not a silent zero.
			if _, err := db.QueryRow[int64](ctx, p, "SELECT n FROM "+tb+" WHERE id = 1"); err == nil {
				t.Errorf("NULL into int64: no error")
			}
			return nil
		})
	})
}
