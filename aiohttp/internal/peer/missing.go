package peer

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// RequiredEnv is the environment variable that turns a missing peer from a
// skipped test into a failed one when it is set to "true". CI services set
// it; the project's CI script relies on its caller to.
const RequiredEnv = "CI"

// Required reports whether a missing peer fails the test instead of
// skipping it, that is, whether CI=true is in the environment.
func Required() bool { return os.Getenv(RequiredEnv) == "true" }

// Missing ends the test because a peer it needs is not installed: it
// skips the test, or fails it if Required. The message says what is
// missing and how to get it.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s (%s=true: missing peers fail)", msg, RequiredEnv)
	}
	t.Skipf("%s; skipped (with %s=true this fails)", msg, RequiredEnv)
}

// LookPath returns the path of the named program, looked up in PATH, or
// ends the test through Missing if there is none. debianPackage names the
// package that provides the program, for the message.
func LookPath(t testing.TB, name, debianPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s not found in PATH (apt-get install %s)", name, debianPackage)
	}
	return path
}

// Need ends the test through Missing unless every named peer is installed.
// The names are "curl", "node", "node-ws" (Node with the ws package,
// Debian's node-ws), "tinyproxy", "python" (Debian's /usr/bin/python3),
// "aiohttp" (its python3-aiohttp), "websockets" (its python3-websockets)
// and "chromium"; an unknown name fails the test.
//
// The functions that run a peer check for it too, but they end a missing
// one's test with Skip or Fatal, which only the test's own goroutine may
// call. A test that runs peers from another goroutine (a task, an
// executor thread) calls Need first, on its own.
func Need(t testing.TB, names ...string) {
	t.Helper()
	for _, name := range names {
		switch name {
		case "curl":
			LookPath(t, "curl", "curl")
		case "node":
			LookPath(t, "node", "nodejs")
		case "node-ws":
			requireNodeWS(t)
		case "tinyproxy":
			LookPath(t, "tinyproxy", "tinyproxy")
		case "python":
			requirePython(t)
		case "aiohttp":
			requireAiohttp(t)
		case "chromium":
			requireChromium(t)
		case "websockets":
			requireWebsockets(t)
		default:
			t.Fatalf("peer.Need: no peer named %q", name)
		}
	}
}
