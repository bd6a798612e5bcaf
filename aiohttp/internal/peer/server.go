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
	p, err := startProgram(t, ready, path, args...)
	if err != nil {
		return "", err
	}
	return p.ready, nil
}

// program is a peer program running in the background, started by
// startProgram.
type program struct {
	name  string
	ready string // the first result of the ready function
	out   *output
	stop  context.CancelFunc // sends SIGTERM
	// exited is closed once the program has exited and its output is
	// read to the end; err is then the result of cmd.Wait.
	exited chan struct{}
	err    error
	status *os.ProcessState
}

// startProgram is start, returning the program rather than the ready
// value, so that its output can be read once it exits (see wait).
func startProgram(t testing.TB, ready func(line string) (string, bool), path string, args ...string) (*program, error) {
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
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		stop()
		return nil, err
	}
	p := &program{name: name, stop: stop, exited: make(chan struct{}),
		out: &output{ready: make(chan string, 1), eof: make(chan struct{})}}
	// The reader belongs to the program: it ends at the end of the
	// program's output, when the program exits.
	go p.out.read(r, ready)
	// So does the waiter, which ends when the program exits (by itself,
	// or stopped by SIGTERM or a kill); every path below waits for it.
	go func() {
		p.err = cmd.Wait()
		p.status = cmd.ProcessState
		<-p.out.eof
		r.Close()
		close(p.exited)
	}()
	end := func() error {
		stop()
		<-p.exited
		if p.status != nil && p.status.Success() {
			return nil // Wait reports the cancellation that stopped it
		}
		return p.err
	}

	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case p.ready = <-p.out.ready:
		t.Cleanup(func() {
			if err := end(); err != nil {
				t.Errorf("%s at the end of the test: %v; its output:\n%s", name, err, p.out.text())
			} else if t.Failed() {
				t.Logf("%s's output:\n%s", name, p.out.text())
			}
		})
		return p, nil
	case <-p.out.eof:
		err := end()
		return nil, fmt.Errorf("%s exited before it was ready (%v); its output:\n%s", name, err, p.out.text())
	case <-timer.C:
		end()
		return nil, fmt.Errorf("%s was not ready within %v; its output:\n%s", name, Timeout, p.out.text())
	}
}

// wait waits, at most Timeout, for the program to exit by itself, and
// returns what it printed after its ready line. A program that does not
// exit in time is stopped; that, or an exit status other than 0, is an
// error that carries all its output.
func (p *program) wait() (string, error) {
	timer := time.NewTimer(Timeout)
	defer timer.Stop()
	select {
	case <-p.exited:
	case <-timer.C:
		p.stop()
		<-p.exited
		return "", fmt.Errorf("%s did not exit within %v; its output:\n%s", p.name, Timeout, p.out.text())
	}
	if p.err != nil {
		return "", fmt.Errorf("%s: %w; its output:\n%s", p.name, p.err, p.out.text())
	}
	return p.out.afterReady(), nil
}

// output collects what a background program writes, and spots the line
// that says it is ready.
type output struct {
	ready chan string   // receives the value of the ready line; buffered
	eof   chan struct{} // closed at the end of the output

	mu    sync.Mutex
	buf   bytes.Buffer
	start int // the length of buf after the ready line
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
				o.mu.Lock()
				o.start = o.buf.Len()
				o.mu.Unlock()
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

// afterReady returns the output that followed the ready line.
func (o *output) afterReady() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()[o.start:]
}

// A Server is a peer server running in the background for the rest of a
// test, as NodeServer starts it. When the test ends it is sent SIGTERM,
// killed if still running a few seconds later, and waited for; an exit
// status other than 0 fails the test, and its output is logged if the
// test failed.
type Server struct {
	// Addr is the address the server listens on, "127.0.0.1:port".
	Addr string
	p    *program
}

// Wait waits, at most Timeout, for the server to exit by itself, as a
// script that serves a set number of connections does, and returns what
// it printed after the line with its address. A server still running
// after Timeout is stopped; that, or an exit status other than 0, is an
// error that carries all its output.
func (s *Server) Wait() (string, error) { return s.p.wait() }
