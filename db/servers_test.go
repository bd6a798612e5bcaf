package db_test

import (
	"context"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/servicetest"
)

// The servers the conformance suite runs against besides the embedded
// SQLite: each is named by a variable, with the address the project's
// machines run it at as the default. A server that does not answer skips
// its tests, naming the variable, except in CI (CI=true), where it fails
// them.
var servers = []struct {
	kind, env, def string
}{
	{"postgres", "TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"},
	{"mysql", "TEST_MYSQL_URL", "mysql://root@127.0.0.1:3306/test"},
}

// serverURL returns the URL of the server of kind, or skips t.
func serverURL(t *testing.T, kind string) string {
	t.Helper()
	for _, s := range servers {
		if s.kind == kind {
			return servicetest.URL(t, s.env, s.def, kind+" server")
		}
	}
	t.Fatalf("no server kind %q", kind)
	return ""
}

// eachDB runs fn as a subtest for SQLite in memory and for each server.
func eachDB(t *testing.T, fn func(t *testing.T, url string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, "sqlite::memory:") })
	for _, s := range servers {
		t.Run(s.kind, func(t *testing.T) { fn(t, serverURL(t, s.kind)) })
	}
}

// kindOf names the database of a URL, as Pool.Kind does.
func kindOf(url string) string {
	switch scheme, _, _ := strings.Cut(url, ":"); scheme {
	case "postgresql":
		return "postgres"
	case "mariadb":
		return "mysql"
	case "sqlite3":
		return "sqlite"
	default:
		return scheme
	}
}

var bg = context.Background()
