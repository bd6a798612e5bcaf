package db_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/jackc/pgx/v5/pgxpool"
	_ "modernc.org/sqlite"
)

// The cost of a statement through the pool, from a task, against the same
// driver called directly from a goroutine: the difference is the hop to
// the executor and back, and the pool's own work.

func BenchmarkQueryRowSQLite(b *testing.B) {
	run(b, func(ctx context.Context) error {
		p, err := db.Open(ctx, "sqlite::memory:", db.MaxConns(1))
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.QueryRow[int64](ctx, p, "SELECT 1"); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkQueryRowSQLiteDirect(b *testing.B) {
	d, err := sql.Open("sqlite", "file:/bench?vfs=memdb")
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	d.SetMaxOpenConns(1)
	b.ReportAllocs()
	for b.Loop() {
		var v int64
		if err := d.QueryRow("SELECT 1").Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkQueryRowPostgres(b *testing.B) {
	url := benchURL(b, "postgres")
	run(b, func(ctx context.Context) error {
		p, err := db.Open(ctx, url, db.MaxConns(1))
		if err != nil {
			return err
		}
		defer p.Close(ctx)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := db.QueryRow[int64](ctx, p, "SELECT 1"); err != nil {
				return err
			}
		}
		return nil
	})
}

func BenchmarkQueryRowPostgresDirect(b *testing.B) {
	url := benchURL(b, "postgres")
	ctx := context.Background()
	p, err := pgxpool.New(ctx, url+"&pool_max_conns=1")
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	b.ReportAllocs()
	for b.Loop() {
		var v int64
		if err := p.QueryRow(ctx, "SELECT 1").Scan(&v); err != nil {
			b.Fatal(err)
		}
	}
}

// run runs body as the main task of a loop with the real clock.
func run(b *testing.B, body func(ctx context.Context) error) {
	b.Helper()
	if _, err := asyncio.Run(func(ctx context.Context) (struct{}, error) { return struct{}{}, body(ctx) }); err != nil {
		b.Fatal(err)
	}
}

func benchURL(b *testing.B, kind string) string {
	b.Helper()
	for _, s := range servers {
		if s.kind == kind {
			if servicetest.Reachable(s.def) != nil {
				b.Skipf("no %s server at %s", kind, s.def)
			}
			return s.def
		}
	}
	b.Fatalf("no server kind %q", kind)
	return ""
}
