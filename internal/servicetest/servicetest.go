// Package servicetest finds the server that a test needs (a database, a
// broker) at the URL an environment variable names, or at the project
// machines' own address.
//
// It is test support: _test.go files import it, and asyncio-bench for
// Reachable, the check of its modes that need a server.
package servicetest

import (
	"net"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// URL returns the URL in the environment variable env, or def if it is
// unset, once a TCP connection to its host (the first of a
// comma-separated list) succeeds. A server that does not answer skips
// the test with a message naming env, except in CI (CI=true), where
// .ci/run starts every server the tests need and a missing one fails
// the test. what names the server in those messages.
func URL(t testing.TB, env, def, what string) string {
	t.Helper()
	u := os.Getenv(env)
	if u == "" {
		u = def
	}
	if err := Reachable(u); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s at %s: %v (CI needs it: .ci/run starts it)", what, u, err)
		}
		t.Skipf("no %s (%v): set %s to one", what, err, env)
	}
	return u
}

// Reachable reports whether a TCP connection to the host of raw (the
// first of a comma-separated list of URLs) succeeds within two seconds.
func Reachable(raw string) error {
	first, _, _ := strings.Cut(raw, ",")
	u, err := url.Parse(first)
	if err != nil {
		return err
	}
	c, err := net.DialTimeout("tcp", u.Host, 2*time.Second)
	if err != nil {
		return err
	}
	return c.Close()
}
