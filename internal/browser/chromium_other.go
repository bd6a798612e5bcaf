//go:build !unix

package browser

import (
	"errors"
	"testing"
	"time"
)

// Chromium is not supported on this system: the browser's processes are
// stopped as a process group, which only Unix systems have.
func Chromium(t testing.TB, url string) error {
	t.Helper()
	return errors.New("browser: Chromium is driven on Unix systems only")
}

// Render is not supported on this system either.
func Render(t testing.TB, url string, budget time.Duration, screenshot string, width, height int) (string, error) {
	t.Helper()
	return "", errors.New("browser: Chromium is driven on Unix systems only")
}
