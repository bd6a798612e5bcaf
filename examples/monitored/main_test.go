package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// build builds this program and the asyncio command into a fresh
// directory and returns their paths.
func build(t *testing.T) (example, tool string) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs programs")
	}
	dir := t.TempDir()
	example, tool = filepath.Join(dir, "monitored"), filepath.Join(dir, "asyncio")
	for _, b := range [][2]string{{example, "."}, {tool, "../../cmd/asyncio"}} {
		if out, err := exec.Command("go", "build", "-o", b[0], b[1]).CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b[1], err, out)
		}
	}
	return example, tool
}

// start runs the example with args, and with env added to its
// environment, and returns its process id and the address it prints once
// it serves the monitor. The program is interrupted when the test ends,
// and must then print its tasks and exit cleanly.
func start(t *testing.T, env []string, example string, args ...string) (pid int, addr string) {
	t.Helper()
	cmd := exec.Command(example, args...)
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The reader goroutine belongs to the test: it ends at the end of the
	// program's output, which the cleanup waits for.
	up := make(chan string, 1)
	output := make(chan string)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "monitor listening on "); ok {
				up <- a
			}
			all.WriteString(sc.Text() + "\n")
		}
		io.Copy(io.Discard, stdout)
		output <- all.String()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		out := <-output
		if err := cmd.Wait(); err != nil {
			t.Errorf("the example: %v\nstderr:\n%s", err, stderr.String())
		}
		if !regexp.MustCompile(`(?m)^tasks at exit:\nloop 1: \d+ tasks`).MatchString(out) {
			t.Errorf("the example did not print its tasks at exit:\n%s", out)
		}
	})
	// Waiting for another process to come up is the one wait a deadline
	// is right for.
	select {
	case addr = <-up:
	case out := <-output:
		t.Fatalf("the example exited before serving the monitor:\n%s\nstderr:\n%s", out, stderr.String())
	case <-time.After(time.Minute):
		t.Fatalf("the example did not serve the monitor within a minute\nstderr:\n%s", stderr.String())
	}
	return cmd.Process.Pid, addr
}

// runTool runs the asyncio command with args and returns its output.
func runTool(t *testing.T, tool string, args ...string) string {
	t.Helper()
	out, err := exec.Command(tool, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("asyncio %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// matches checks that out matches each of the regular expressions.
func matches(t *testing.T, what, out string, res ...string) {
	t.Helper()
	for _, re := range res {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("%s lacks %s:\n%s", what, re, out)
		}
	}
}

func TestPsAndPstree(t *testing.T) {
	example, tool := build(t)
	pid, addr := start(t, nil, example, "-for", "0")
	if addr != filepath.Join(os.TempDir(), "asyncio-"+strconv.Itoa(pid)+".sock") {
		t.Errorf("the example serves on %s, not on its default socket", addr)
	}
	target := strconv.Itoa(pid)

	ps := runTool(t, tool, "ps", target)
	matches(t, "ps", ps,
		`^loop 1: 9 tasks, loop time `,
		`(?m)^ID +NAME +STATE +WAIT +WAITS FOR +FOR +PARENT$`,
		`(?m)^1 +main +waiting +Future\.Wait +- +\S+ +-$`,
		`(?m)^\d+ +producer +waiting +\S+ .* main$`,
		`(?m)^\d+ +worker-1 +waiting +\S+ .* main$`,
		`(?m)^\d+ +worker-2 +waiting +\S+ .* main$`,
		`(?m)^\d+ +worker-3 +waiting +\S+ .* main$`,
		`(?m)^\d+ +checkpoint +waiting +\S+ .* main$`,
		`(?m)^\d+ +mailer +waiting +Queue\.Get +- +\S+ +main$`,
		`(?m)^\d+ +janitor +waiting +Sleep +- +\S+ +main$`,
		`(?m)^\d+ +indexer +waiting +Sleep +- +\S+ +main$`,
	)
	if strings.Contains(ps, "await cycle") {
		t.Errorf("ps reports an await cycle without -deadlock:\n%s", ps)
	}

	tree := runTool(t, tool, "pstree", target)
	matches(t, "pstree", tree,
		`^loop 1: 9 tasks, loop time `,
		`(?m)^└── main \(#1\) waiting in Future\.Wait, \S+$`,
		`(?m)^    ├── producer \(#\d+\) waiting in `,
		`(?m)^    ├── mailer \(#\d+\) waiting in Queue\.Get, \S+$`,
		`(?m)^    ├── janitor \(#\d+\) waiting in Sleep, \S+$`,
		`(?m)^    └── indexer \(#\d+\) waiting in Sleep, \S+$`,
	)
	if strings.Contains(tree, "await cycle") {
		t.Errorf("pstree reports an await cycle without -deadlock:\n%s", tree)
	}
}

func TestDeadlock(t *testing.T) {
	example, tool := build(t)
	pid, _ := start(t, nil, example, "-for", "0", "-deadlock")
	target := strconv.Itoa(pid)

	tree := runTool(t, tool, "pstree", target)
	matches(t, "pstree", tree,
		`^loop 1: 11 tasks, `,
		`(?m)^    ├── transfer-a \(#10\) waiting in Lock\.Acquire for transfer-b, \S+$`,
		`(?m)^    └── transfer-b \(#11\) waiting in Lock\.Acquire for transfer-a, \S+$`,
		`(?m)^await cycle: transfer-a \(#10\) → transfer-b \(#11\) → transfer-a \(#10\)$`,
	)
	ps := runTool(t, tool, "ps", target)
	matches(t, "ps", ps,
		`(?m)^10 +transfer-a +waiting +Lock\.Acquire +transfer-b +\S+ +main$`,
		`(?m)^11 +transfer-b +waiting +Lock\.Acquire +transfer-a +\S+ +main$`,
		`(?m)^await cycle: transfer-a \(#10\) → transfer-b \(#11\) → transfer-a \(#10\)$`,
	)
}

// ASYNCIOMONITOR starts the endpoint where it says, and the example uses
// that one.
func TestEnvVar(t *testing.T) {
	example, tool := build(t)
	dir, err := os.MkdirTemp("", "amon")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) }) // runs after the example's, registered later
	sock := filepath.Join(dir, "m.sock")
	_, addr := start(t, []string{"ASYNCIOMONITOR=unix:" + sock}, example, "-for", "0")
	if addr != sock {
		t.Errorf("the example serves on %s, want %s", addr, sock)
	}
	matches(t, "ps", runTool(t, tool, "ps", sock), `(?m)^\d+ +janitor +waiting +Sleep `)
}
