package peer

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Chromium runs a headless Chromium that opens url, for the rest of the
// test, and returns once the browser is up; what the page then does, the
// test learns from the page itself, through the server that served it.
//
// The browser runs with what a container needs: no sandbox (which root
// cannot have), no GPU, no use of a small /dev/shm; a profile of its own
// in a temporary directory; no proxy. It is ready when its DevTools
// endpoint listens on a port of 127.0.0.1. When the test ends, the
// browser and every process it started (they share a process group) are
// sent SIGTERM, killed if still there stopGrace later, and waited for;
// its output is logged if the test failed.
//
// Chromium returns an error if the browser exits, or stays silent for
// Timeout, before it is ready. Without chromium or chromium-browser in
// PATH, it ends the test through Missing, which only the test's goroutine
// may do: a test that calls Chromium from another goroutine calls
// Need(t, "chromium") first.
func Chromium(t testing.TB, url string) error {
	t.Helper()
	path := lookChromium(t)
	// The profile's directory is removed by a cleanup registered before
	// the browser's, so it runs after the browser has exited.
	profile := t.TempDir()
	cmd := exec.Command(path,
		"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+profile, "--no-first-run", "--no-default-browser-check",
		"--disable-extensions", "--disable-background-networking", "--disable-component-update",
		"--disable-sync", "--mute-audio", "--no-proxy-server",
		"--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		url)
	cmd.Env = environ()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		return err
	}
	out := &output{ready: make(chan string, 1), eof: make(chan struct{})}
	// The reader belongs to the browser: it ends at the end of the
	// output, once every process of the group has exited, which stop
	// waits for.
	go out.read(r, func(line string) (string, bool) {
		return "", strings.HasPrefix(line, "DevTools listening on ")
	})
	stop := func() error {
		defer r.Close()
		return stopGroup(cmd, out)
	}

	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case <-out.ready:
		t.Cleanup(func() {
			if err := stop(); err != nil {
				t.Errorf("chromium at the end of the test: %v; its output:\n%s", err, out.text())
			} else if t.Failed() {
				t.Logf("chromium's output:\n%s", out.text())
			}
		})
		return nil
	case <-out.eof:
		err := stop()
		return fmt.Errorf("chromium exited before it was ready (%v); its output:\n%s", err, out.text())
	case <-timer.C:
		stop()
		return fmt.Errorf("chromium was not ready within %v; its output:\n%s", Timeout, out.text())
	}
}

// stopGroup ends the process group that cmd leads: SIGTERM, then SIGKILL
// after stopGrace, and waits for the end of the group's output, which
// comes when the last of its processes has exited, before it reaps cmd.
// Until then cmd is not reaped, so the group's ID cannot be reused and
// the signals reach no other process. The browser's exit status is not
// an error: SIGTERM ends it with one status or another.
func stopGroup(cmd *exec.Cmd, out *output) error {
	pgid := cmd.Process.Pid
	var err error
	syscall.Kill(-pgid, syscall.SIGTERM)
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-out.eof:
	case <-timer.C:
		err = fmt.Errorf("still running %v after SIGTERM; killed", stopGrace)
		syscall.Kill(-pgid, syscall.SIGKILL)
		timer.Reset(stopGrace)
		select {
		case <-out.eof:
		case <-timer.C:
			// A process that left the group still holds the output.
			err = errors.Join(err, errors.New("a process it started outlived it, holding its output"))
		}
	}
	cmd.Wait()
	return err
}

// lookChromium returns the path of Chromium, which Debian and Ubuntu
// name differently, or ends the test through Missing.
func lookChromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if path, err := exec.LookPath(name); err == nil {
			return path
		}
	}
	Missing(t, "chromium not found in PATH (apt-get install chromium)")
	return ""
}
