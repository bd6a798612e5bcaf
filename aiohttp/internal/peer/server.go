package peer

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long a peer server has to exit after SIGTERM before it
// is killed.
const stopGrace = 5 * time.Second

// start starts the program at path with args in the background for the
// rest of the test, and waits until a line of its output (standard output
// and error together) satisfies ready, whose first result it returns. It
// returns an error if the program exits, or stays silent for Timeout,
// before that line. Once ready, the program belongs to the test: when the
// test ends it is sent SIGTERM, killed if still running stopGrace later,
// and waited for, and an exit status other than 0 fails the test.
func start(t testing.TB, ready func(line string) (string, bool), path string, args ...string) (string, error) {
	t.Helper()
	name := filepath.Base(path)
	ctx, stop := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = environ()
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopGrace
	r, w, err := os.Pipe()
	if err != nil {
		stop()
		return "", err
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		stop()
		return "", err
	}
	out := &output{ready: make(chan string, 1), eof: make(chan struct{})}
	// The reader belongs to the program: it ends at the end of the
	// program's output, when the program exits, which every path below
	// waits for.
	go out.read(r, ready)
	end := func() error {
		stop()
		err := cmd.Wait()
		<-out.eof
		r.Close()
		if cmd.ProcessState != nil && cmd.ProcessState.Success() {
			return nil // Wait reports the cancellation that stopped it
		}
		return err
	}

	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case v := <-out.ready:
		t.Cleanup(func() {
			if err := end(); err != nil {
				t.Errorf("%s at the end of the test: %v; its output:\n%s", name, err, out.text())
			} else if t.Failed() {
				t.Logf("%s's output:\n%s", name, out.text())
			}
		})
		return v, nil
	case <-out.eof:
		err := end()
		return "", fmt.Errorf("%s exited before it was ready (%v); its output:\n%s", name, err, out.text())
	case <-timer.C:
		end()
		return "", fmt.Errorf("%s was not ready within %v; its output:\n%s", name, Timeout, out.text())
	}
}

// output collects what a background program writes, and spots the line
// that says it is ready.
type output struct {
	ready chan string   // receives the value of the ready line; buffered
	eof   chan struct{} // closed at the end of the output

	mu  sync.Mutex
	buf bytes.Buffer
}

func (o *output) read(r *os.File, ready func(string) (string, bool)) {
	defer close(o.eof)
	sc := bufio.NewScanner(r)
	seen := false
	for sc.Scan() {
		line := sc.Text()
		o.mu.Lock()
		o.buf.WriteString(line + "\n")
		o.mu.Unlock()
		if !seen {
			if v, ok := ready(line); ok {
				seen = true
				o.ready <- v
			}
		}
	}
	// A line too long for the scanner ends the scan early; the rest is
	// drained so the program never blocks on a full pipe.
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
