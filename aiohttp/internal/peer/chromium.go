package peer

import (
	"testing"

	"github.com/asyncio-go/asyncio/internal/browser"
)

// Chromium runs a headless Chromium that opens url for the rest of the
// test, for an interop test whose peer is a web page's script; see
// browser.Chromium, which does the work and which tests outside package
// aiohttp, which cannot import peer, use directly.
//
// Without chromium or chromium-browser in PATH, Chromium ends the test
// through Missing.
func Chromium(t testing.TB, url string) error {
	t.Helper()
	requireChromium(t)
	return browser.Chromium(t, url)
}

func requireChromium(t testing.TB) {
	t.Helper()
	if browser.Path() == "" {
		Missing(t, "chromium not found in PATH (apt-get install chromium)")
	}
}
