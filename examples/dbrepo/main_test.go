package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/db"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// want is the program's output after its first line, which names the
// database: the same on both.
const want = `add Alice: id 1
add Bob: id 2
add Carol: id 3
add Alice again: alice@example.com is taken
3 active users:
  User: Alice (alice@example.com)
  User: Bob (bob@example.com)
  User: Carol (carol@example.com)
deactivate 1: done
deactivate 99: user 99: no such user (rolled back)
2 active users:
  User: Bob (bob@example.com)
  User: Carol (carol@example.com)
audit: deactivate user 1
`

func TestSQLite(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, "sqlite::memory:"); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "database: sqlite\n"+want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestPostgres runs the program in a schema of its own, made for the
// test, so that another run of it on the same database at the same time
// has tables of its own too.
func TestPostgres(t *testing.T) {
	base := postgresURL(t)
	schema := fmt.Sprintf("dbrepo_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := admin(base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := admin(base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema) // a parameter of every connection
	u.RawQuery = q.Encode()

	var buf bytes.Buffer
	if err := run(&buf, u.String()); err != nil {
		t.Fatal(err)
	}
	if got := buf.String(); got != "database: postgres\n"+want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// postgresURL returns the URL of the test server, or skips t if it does
// not answer, unless in CI.
func postgresURL(t *testing.T) string {
	t.Helper()
	u := os.Getenv("TEST_POSTGRES_URL")
	if u == "" {
		u = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	pu, err := url.Parse(u)
	if err == nil {
		var c net.Conn
		if c, err = net.DialTimeout("tcp", pu.Host, 2*time.Second); err == nil {
			c.Close()
			return u
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no PostgreSQL at %s: %v", u, err)
	}
	t.Skipf("no PostgreSQL at %s (%v): set TEST_POSTGRES_URL to one", u, err)
	return ""
}

// admin runs one statement on the database at url.
func admin(url, sql string) error {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		p, err := db.Open(ctx, url)
		if err != nil {
			return struct{}{}, err
		}
		defer p.Close(ctx)
		_, err = p.Exec(ctx, sql)
		return struct{}{}, err
	})
	return err
}
