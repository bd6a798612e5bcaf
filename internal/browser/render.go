//go:build unix

package browser

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Render loads url in a headless Chromium, lets its scripts run for up
// to budget of the browser's virtual time (Chromium's
// --virtual-time-budget: timers run as fast as the page allows, and the
// wait ends early once the page is idle), and returns the DOM as HTML.
// With a screenshot path, it also writes a PNG of the page, width by
// height pixels, there.
//
// The browser runs with the flags Chromium uses, and exits on its own;
// it is killed, with its process group, if it has not within Timeout.
// Without Chromium it ends the test through Need, so it is called from
// the test's goroutine or after Need.
func Render(t testing.TB, url string, budget time.Duration, screenshot string, width, height int) (string, error) {
	t.Helper()
	path := Need(t)
	profile := t.TempDir()
	args := []string{
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir=" + profile, "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--mute-audio", "--no-proxy-server", "--hide-scrollbars",
		fmt.Sprintf("--virtual-time-budget=%d", budget.Milliseconds()),
		fmt.Sprintf("--window-size=%d,%d", width, height),
	}
	if screenshot != "" {
		abs, err := filepath.Abs(screenshot)
		if err != nil {
			return "", err
		}
		args = append(args, "--screenshot="+abs)
	}
	args = append(args, "--dump-dom", url)
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = stopGrace
	cmd.Env = append(os.Environ(), "TMPDIR="+profile)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("chromium: %v; its output:\n%s", err, stderr.String())
	}
	return stdout.String(), nil
}
