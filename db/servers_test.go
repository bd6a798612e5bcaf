package db_test

import (
	"context"
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
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
		if s.kind != kind {
			continue
		}
		u := os.Getenv(s.env)
		if u == "" {
			u = s.def
		}
		if err := reachable(u); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("%s server at %s: %v (CI needs it: .ci/run starts it)", kind, u, err)
			}
			t.Skipf("no %s server (%v): set %s to one", kind, err, s.env)
		}
		return u
	}
	t.Fatalf("no server kind %q", kind)
	return ""
}

func reachable(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
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
	scheme, _, _ := strings.Cut(url, ":")
	return strings.TrimSuffix(scheme, "ql")
}

var bg = context.Background()
