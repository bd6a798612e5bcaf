package peer

import (
	"testing"

	"github.com/asyncio-go/asyncio/internal/browser"
)

// requireChromium ends the test through Missing without chromium or
// chromium-browser in PATH. Tests that drive it use package
// internal/browser, which examples can import too.
func requireChromium(t testing.TB) {
	t.Helper()
	if browser.Path() == "" {
		Missing(t, "chromium not found in PATH (apt-get install chromium)")
	}
}
