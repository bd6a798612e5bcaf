// Package browser runs a headless Chromium for tests of web pages served
// by the module's programs: the page's script does what a user would, and
// reports what it saw to the server that served it, which the test
// checks.
//
// It is test support: only _test.go files import it. The browser is tied
// to the test that starts it: it is stopped, with every process it
// started, and waited for when the test ends.
//
// # Missing browser
//
// Without Chromium, a test is skipped on a developer's machine, with a
// message that says how to install it. When CI is "true" or
// ASYNCIO_REQUIRE_CHROMIUM is set, as in continuous integration, the test
// fails instead: there, skipping would hide a test that never ran.
package browser

import (
	"os"
	"os/exec"
	"testing"
	"time"
)

// Path returns the path of Chromium, which Debian and Ubuntu name
// differently (chromium, chromium-browser), looked up in PATH, or "".
func Path() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	return ""
}

// Required reports whether a missing Chromium fails a test instead of
// skipping it.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("ASYNCIO_REQUIRE_CHROMIUM") != ""
}

// Need returns the path of Chromium, or ends the test: it skips it, or
// fails it if Required. Like every way of ending a test, it may only be
// called from the test's goroutine.
func Need(t testing.TB) string {
	t.Helper()
	path := Path()
	if path == "" {
		const msg = "chromium not found in PATH (apt-get install chromium)"
		if Required() {
			t.Fatal(msg + " (CI=true or ASYNCIO_REQUIRE_CHROMIUM set: a missing browser fails)")
		}
		t.Skip(msg + "; skipped (with CI=true this fails)")
	}
	return path
}

// Timeout bounds the wait for the browser to be ready: ample on a loaded
// machine, and short enough that a browser that does not start fails its
// own test rather than the whole test binary. Tests may use it to bound
// their wait for a page's report.
const Timeout = 30 * time.Second
