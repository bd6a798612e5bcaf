package monitor

import (
	"bufio"
	"context"
	"io"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/browser"
)

// startExample builds examples/monitored, runs it with args, and returns
// the address its monitor serves on. The program is interrupted when the
// test ends, and must then exit cleanly.
func startExample(t *testing.T, args ...string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs a program")
	}
	bin := filepath.Join(t.TempDir(), "monitored")
	build := exec.Command("go", "build", "-o", bin, "../examples/monitored")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, args...)
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
	lines := make(chan string)
	var rest strings.Builder
	output := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if addr, ok := strings.CutPrefix(sc.Text(), "monitor listening on "); ok {
				lines <- addr
			}
			rest.WriteString(sc.Text() + "\n")
		}
		io.Copy(io.Discard, stdout)
		close(lines)
		output <- rest.String()
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		for range lines {
		}
		out := <-output
		if err := cmd.Wait(); err != nil {
			t.Errorf("the example: %v\nstderr:\n%s", err, stderr.String())
		}
		if !strings.Contains(out, "tasks at exit:") {
			t.Errorf("the example did not print its tasks at exit:\n%s", out)
		}
	})
	// Waiting for another process to come up is the one wait a deadline
	// is right for.
	select {
	case addr, ok := <-lines:
		if !ok {
			t.Fatalf("the example exited before serving the monitor\nstderr:\n%s", stderr.String())
		}
		return addr
	case <-time.After(time.Minute):
		t.Fatalf("the example did not print its address within a minute\nstderr:\n%s", stderr.String())
	}
	return ""
}

// TestPageInChromium loads the monitor page of the running example in a
// headless Chromium and checks what its script drew.
func TestPageInChromium(t *testing.T) {
	chromium := browser.Need(t)
	// The indexer blocks the loop at once for 400 ms, well past the
	// watchdog's 100 ms: a stall to show.
	addr := startExample(t, "-for", "0", "-tcp", "127.0.0.1:0", "-deadlock", "-stall", "400ms")

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Virtual time lets the page's timers and fetches run their course
	// (three refreshes) before the DOM is dumped, without a wall-clock
	// wait in the test.
	cmd := exec.CommandContext(ctx, chromium,
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--user-data-dir="+t.TempDir(),
		"--virtual-time-budget=3000",
		"--dump-dom", "http://"+addr+"/")
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	dom := string(out)
	if !strings.Contains(dom, `<div id="error" class="banner banner-error" hidden="">`) {
		t.Errorf("the page shows an error")
	}
	for _, want := range []struct{ what, re string }{
		{"the program", `id="process"[^>]*>monitored · pid \d+<`},
		{"the task names", `class="task-name">producer<`},
		{"the workers", `class="task-name">worker-3<`},
		{"the tree", `class="tree">└─ <`},
		{"the deadlocked tasks highlighted", `class="in-cycle" data-task="transfer-a"`},
		{"the await cycle", `await cycle: transfer-a \(#\d+\) → transfer-b \(#\d+\) → transfer-a`},
		{"a lag line in the chart", `id="lag-chart".*?class="lag-line"`},
		{"the histogram's bars", `id="lag-histogram".*?class="bar-rect`},
		{"the indexer's stall", `class="stall".*?class="stall-duration">[\d.]+ ms<.*?task indexer`},
		{"the stall's stack", `(?s)class="stall".*?<pre>main\.\(\*service\)\.rebuildIndex`},
	} {
		if !regexp.MustCompile(want.re).MatchString(dom) {
			t.Errorf("the page lacks %s (%s)", want.what, want.re)
		}
	}
	for _, want := range []struct{ task, state, wait string }{
		{"mailer", "waiting", "Queue.Get"},
		{"janitor", "waiting", "Sleep"},
		{"transfer-b", "waiting", "Lock.Acquire"},
	} {
		r := row(dom, want.task)
		if !strings.Contains(r, `class="state state-`+want.state+`">`+want.state+`<`) || !strings.Contains(r, `class="wait">`+want.wait+`<`) {
			t.Errorf("the row of %s does not show it %s in %s: %s", want.task, want.state, want.wait, r)
		}
	}
	if t.Failed() {
		t.Logf("the DOM:\n%s", dom)
	}
}

// row returns the table row of the task named name in the dumped DOM.
func row(dom, name string) string {
	_, r, ok := strings.Cut(dom, `data-task="`+name+`"`)
	if !ok {
		return ""
	}
	r, _, _ = strings.Cut(r, "</tr>")
	return r
}
