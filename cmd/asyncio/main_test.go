package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"github.com/asyncio-go/asyncio/monitor"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// startService runs a loop until the test ends, with a sleeper, a task
// waiting for a lock its sibling holds, two tasks deadlocked on two locks
// and a ticker that steps every 5 ms, and serves the monitor on a socket
// (or on TCP); it returns the endpoint's address once every task waits.
// The loop's goroutine belongs to the test and ends at cleanup.
func startService(t *testing.T, opts ...monitor.Option) string {
	t.Helper()
	ready := make(chan struct{})
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			lock, a, b := asyncio.NewLock(), asyncio.NewLock(), asyncio.NewLock()
			never := asyncio.NewEvent()
			spawn := func(name string, fn func(context.Context) error) {
				asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) }, asyncio.Name(name))
			}
			spawn("sleeper", func(ctx context.Context) error { return asyncio.Sleep(ctx, time.Hour) })
			spawn("holder", func(ctx context.Context) error {
				if err := lock.Acquire(ctx); err != nil {
					return err
				}
				defer lock.Release()
				return never.Wait(ctx)
			})
			spawn("waiter", lock.Acquire)
			spawn("transfer-a", func(ctx context.Context) error { return transfer(ctx, a, b) })
			spawn("transfer-b", func(ctx context.Context) error { return transfer(ctx, b, a) })
			spawn("ticker", func(ctx context.Context) error {
				for {
					if err := asyncio.Sleep(ctx, 5*time.Millisecond); err != nil {
						return err
					}
				}
			})
			// Each task reaches its first wait in the next iteration, and
			// the transfers their second in the one after.
			for range 3 {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return struct{}{}, err
				}
			}
			close(ready)
			_, _, err := asyncio.Recv(ctx, stop)
			return struct{}{}, err
		})
		done <- err
	}()
	<-ready
	if len(opts) == 0 {
		dir, err := os.MkdirTemp("", "acmd")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(dir) })
		opts = []monitor.Option{monitor.WithSocket(filepath.Join(dir, "m.sock"))}
	}
	srv, err := monitor.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		srv.Close()
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("the service's loop: %v", err)
		}
	})
	return srv.Addr().String()
}

func transfer(ctx context.Context, from, to *asyncio.Lock) error {
	if err := from.Acquire(ctx); err != nil {
		return err
	}
	defer from.Release()
	if err := asyncio.Sleep(ctx, 0); err != nil {
		return err
	}
	if err := to.Acquire(ctx); err != nil {
		return err
	}
	to.Release()
	return nil
}

// command runs the command line args in the test's process and returns
// its output, its messages and its error.
func command(args ...string) (stdout, stderr string, err error) {
	var out, msgs strings.Builder
	err = run(context.Background(), args, &out, &msgs)
	return out.String(), msgs.String(), err
}

// mustRun runs the command line args, which must succeed, and returns
// its output.
func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, msgs, err := command(args...)
	if err != nil {
		t.Fatalf("asyncio %s: %v\n%s", strings.Join(args, " "), err, msgs)
	}
	return out
}

func matches(t *testing.T, what, out string, res ...string) {
	t.Helper()
	for _, re := range res {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("%s lacks %s:\n%s", what, re, out)
		}
	}
}

// The task lines of the service, as ps prints them.
var psLines = []string{
	`(?m)^1 +main +waiting +Future\.Wait +- +\S+ +-$`,
	`(?m)^2 +sleeper +waiting +Sleep +- +\S+ +main$`,
	`(?m)^3 +holder +waiting +Event\.Wait +- +\S+ +main$`,
	`(?m)^4 +waiter +waiting +Lock\.Acquire +holder +\S+ +main$`,
	`(?m)^5 +transfer-a +waiting +Lock\.Acquire +transfer-b +\S+ +main$`,
	`(?m)^6 +transfer-b +waiting +Lock\.Acquire +transfer-a +\S+ +main$`,
	`(?m)^await cycle: transfer-a \(#5\) → transfer-b \(#6\) → transfer-a \(#5\)$`,
}

func TestPs(t *testing.T) {
	addr := startService(t)
	out := mustRun(t, "ps", addr)
	matches(t, "ps", out, append([]string{
		`^loop \d+: 7 tasks, loop time \S+\nID +NAME +STATE +WAIT +WAITS FOR +FOR +PARENT\n`,
	}, psLines...)...)
}

func TestPstree(t *testing.T) {
	addr := startService(t)
	out := mustRun(t, "pstree", addr)
	matches(t, "pstree", out,
		`^loop \d+: 7 tasks, loop time \S+\n└── main \(#1\) waiting in Future\.Wait, \S+\n`,
		`(?m)^    ├── waiter \(#4\) waiting in Lock\.Acquire for holder, \S+$`,
		`(?m)^    └── ticker \(#7\) waiting in Sleep, \S+$`,
		`(?m)^await cycle: transfer-a \(#5\) → transfer-b \(#6\) → transfer-a \(#5\)$`,
	)
}

// Each open loop gets a block, oldest first.
func TestPsLoops(t *testing.T) {
	addr := startService(t)
	idle := asyncio.NewLoop() // open, never run: it answers stale
	defer idle.Close()
	out := mustRun(t, "ps", addr)
	blocks := strings.Split(out, "\n\n")
	if len(blocks) != 2 {
		t.Fatalf("%d blocks, want 2:\n%s", len(blocks), out)
	}
	matches(t, "the first block", blocks[0], psLines...)
	matches(t, "the second block", blocks[1], fmt.Sprintf(`^loop %d: 0 tasks, loop time \S+ \(stale`, idle.ID()))
}

func TestTop(t *testing.T) {
	addr := startService(t, monitor.WithTCP("127.0.0.1:0"))
	out := mustRun(t, "top", "-n", "2", "-interval", "10ms", addr)
	refreshes := regexp.MustCompile(`(?m)^asyncio top: \S+ \(pid \d+\), \d\d:\d\d:\d\d, every 10ms\n\nlag: worst \S+ in the last 10s, \S+ ever \(\d+ timers\)\nslow steps: .*\nloop \d+: 7 tasks`).FindAllString(out, -1)
	if len(refreshes) != 2 {
		t.Errorf("%d refreshes, want 2:\n%s", len(refreshes), out)
	}
	if strings.Contains(out, clearScreen) {
		t.Error("top cleared the screen of a non-terminal")
	}
	matches(t, "top", out, psLines...)
	// Flags after the operand too.
	if out := mustRun(t, "top", addr, "-n", "1", "-interval", "1h"); strings.Count(out, "asyncio top:") != 1 {
		t.Errorf("top -n 1: %s", out)
	}
}

func TestTrace(t *testing.T) {
	addr := startService(t)
	file := filepath.Join(t.TempDir(), "trace.json")
	out, msgs, err := command("trace", addr, "-seconds", "0.3", "-o", file)
	if err != nil {
		t.Fatalf("%v\n%s", err, msgs)
	}
	if out != "" {
		t.Errorf("trace wrote to stdout: %q", out)
	}
	matches(t, "trace's messages", msgs,
		`^tracing loop \d+ of \S+ \(pid \d+\) for 0\.3s\.\.\.\n`,
		`(?m)^wrote .*trace\.json: \d+ events; open it at https://ui\.perfetto\.dev`)
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		TraceEvents []struct {
			Name, Ph string
			Tid      uint64
			Args     map[string]string
		}
	}
	if err := json.Unmarshal(data, &tr); err != nil {
		t.Fatal(err)
	}
	var ticker uint64
	steps := 0
	for _, e := range tr.TraceEvents {
		if e.Ph == "M" && e.Args["name"] == "ticker (#7)" {
			ticker = e.Tid
		}
		if e.Ph == "X" && e.Tid == 7 && e.Name == "step" {
			steps++
		}
	}
	if ticker != 7 || steps < 5 {
		t.Errorf("the trace has the ticker's track %d with %d steps; want track 7 with at least 5", ticker, steps)
	}

	// -o - writes the trace itself to stdout.
	out, _, err = command("trace", "-seconds", "0.05", "-o", "-", addr)
	if err != nil || !json.Valid([]byte(out)) || !strings.Contains(out, `"traceEvents"`) {
		t.Errorf("trace -o -: %v, %.200q", err, out)
	}
}

func TestErrors(t *testing.T) {
	addr := startService(t)
	// A process that has exited: its pid is free (and unlikely to be
	// reused within the test).
	exited := exec.Command(os.Args[0], "-test.run=^$")
	if err := exited.Run(); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		says string
	}{
		{[]string{"ps", strconv.Itoa(exited.Process.Pid)}, "no such process: " + strconv.Itoa(exited.Process.Pid)},
		// This process serves no endpoint on its default socket.
		{[]string{"ps", strconv.Itoa(os.Getpid())}, fmt.Sprintf("process %d serves no asyncio monitor endpoint (there is no %s); the program serves it if it imports github.com/asyncio-go/asyncio/monitor and runs with ASYNCIOMONITOR=1", os.Getpid(), monitor.SocketPath(os.Getpid()))},
		{[]string{"pstree", filepath.Join(t.TempDir(), "none.sock")}, "nothing serves an asyncio monitor endpoint at "},
		{[]string{"top", "-n", "1", "127.0.0.1:1"}, "nothing serves an asyncio monitor endpoint at 127.0.0.1:1; the program serves it if"},
		{[]string{"ps", "nowhere"}, `"nowhere" is neither a process id, a Unix socket's path nor a HOST:PORT`},
		{[]string{"ps", "0"}, "0 is not a process id"},
		{[]string{"trace", "-seconds", "61", addr}, "-seconds 61: want a number of seconds above 0 and at most 60"},
		{[]string{"trace", "-loop", "999999", "-seconds", "0.1", addr}, "no open loop 999999"},
		{[]string{"top", "-interval", "0s", addr}, "-interval 0s: want a positive duration"},
	} {
		_, _, err := command(tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("asyncio %s: %v; want an error saying %q", strings.Join(tc.args, " "), err, tc.says)
		}
	}
	for _, args := range [][]string{
		{},
		{"ps"},
		{"ps", addr, addr},
		{"frobnicate", addr},
		{"top", "-n", "x", addr},
	} {
		_, msgs, err := command(args...)
		if !errors.Is(err, errUsage) || !strings.Contains(msgs, "usage:\n  asyncio ps PID|ADDR") {
			t.Errorf("asyncio %s: %v, %q; want the usage", strings.Join(args, " "), err, msgs)
		}
	}
}

// The command finds a process's socket where package monitor puts it.
func TestSocketPath(t *testing.T) {
	for _, pid := range []int{1, 4242, os.Getpid()} {
		if got, want := socketPath(pid), monitor.SocketPath(pid); got != want {
			t.Errorf("socketPath(%d) = %s, monitor.SocketPath = %s", pid, got, want)
		}
	}
}

// A pid finds the endpoint on its default socket.
func TestPid(t *testing.T) {
	startService(t, monitor.WithSocket(monitor.SocketPath(os.Getpid())))
	matches(t, "ps", mustRun(t, "ps", strconv.Itoa(os.Getpid())), psLines...)
}
