//go:build unix

package browser

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long the browser has to exit after SIGTERM before it is
// killed.
const stopGrace = 5 * time.Second

// Chromium runs a headless Chromium that opens url, for the rest of the
// test, and returns once the browser is up; what the page then does, the
// test learns from the page itself, through the server that served it.
//
// The browser runs with what a container needs: no sandbox (which root
// cannot have), no GPU, no use of a small /dev/shm; a profile of its own
// in a temporary directory; no proxy. It is ready when its DevTools
// endpoint listens on a port of 127.0.0.1. When the test ends, the
// browser is sent SIGTERM, it and every process it started (they share a
// process group) are killed if still there stopGrace later, and the test
// waits until all have exited; the output is logged if the test failed.
//
// Chromium returns an error if the browser exits, or stays silent for
// Timeout, before it is ready. Without Chromium it ends the test through
// Need, which only the test's goroutine may do: a test that calls
// Chromium from another goroutine calls Need first.
func Chromium(t testing.TB, url string) error {
	t.Helper()
	path := Need(t)
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
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Chromium puts files of its own in TMPDIR (org.chromium.Chromium.*)
	// and does not always remove them: they go with the profile.
	cmd.Env = append(os.Environ(), "TMPDIR="+profile)
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
	out := &output{ready: make(chan struct{}, 1), eof: make(chan struct{})}
	// The reader belongs to the browser: it ends at the end of the
	// output, once every process of the group has exited (or stop gave
	// up and closed r), which stop waits for.
	go out.read(r)
	stop := func() error {
		err := stopGroup(cmd, out, r)
		cmd.Wait()
		return err
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

// stopGroup ends the process group that cmd leads: SIGTERM to the browser,
// which ends its own processes as it exits, then SIGKILL to the whole
// group after stopGrace; and it waits for the end of the group's output,
// which comes when the last of its processes has exited. The caller
// reaps cmd only then: until it does, the group's ID cannot be reused,
// and the signals reach no other process. The browser's exit status is
// not an error: SIGTERM ends it with one status or another. (Its helper
// processes, orphaned as it exits, are reaped by init, not by the test.)
func stopGroup(cmd *exec.Cmd, out *output, r *os.File) error {
	pgid := cmd.Process.Pid
	syscall.Kill(pgid, syscall.SIGTERM)
	timer := time.NewTimer(stopGrace)
	defer timer.Stop()
	select {
	case <-out.eof:
		r.Close()
		return nil
	case <-timer.C:
	}
	err := fmt.Errorf("still running %v after SIGTERM; killed", stopGrace)
	syscall.Kill(-pgid, syscall.SIGKILL)
	timer.Reset(stopGrace)
	select {
	case <-out.eof:
	case <-timer.C:
		// A process that left the group holds the output still.
		// Closing r ends the reader.
		err = errors.Join(err, errors.New("a process it started left its process group and outlived it"))
	}
	r.Close()
	<-out.eof
	return err
}

// output collects what the browser writes, and spots the line that says
// it is ready.
type output struct {
	ready chan struct{} // receives once the browser is ready; buffered
	eof   chan struct{} // closed at the end of the output

	mu  sync.Mutex
	buf strings.Builder
}

func (o *output) read(r *os.File) {
	defer close(o.eof)
	sc := bufio.NewScanner(r)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		o.mu.Lock()
		o.buf.WriteString(line + "\n")
		o.mu.Unlock()
		if !seen && strings.HasPrefix(line, "DevTools listening on ") {
			seen = true
			o.ready <- struct{}{}
		}
	}
	// A line too long for the scanner ends the scan early; the rest is
	// drained so the browser never blocks on a full pipe.
	buf := make([]byte, 32<<10)
	for {
		if _, err := r.Read(buf); err != nil {
			return
		}
	}
}

func (o *output) text() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}
