package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestExamplesListed keeps the tour complete: every folder of examples/
// but the tour itself is in the examples slice, and nothing else is.
func TestExamplesListed(t *testing.T) {
	entries, err := os.ReadDir("..")
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, e := range entries {
		if e.IsDir() && e.Name() != "tour" {
			dirs = append(dirs, e.Name())
		}
	}
	listed := slices.Sorted(slices.Values(examples))
	if !slices.Equal(dirs, listed) {
		t.Errorf("example folders %v, but the tour lists %v", dirs, listed)
	}
}

// TestTour runs the tour for one quick example, end to end through the go
// command.
func TestTour(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := filepath.Abs("../.."); root != want {
		t.Fatalf("moduleRoot() = %s, want %s", root, want)
	}
	var stdout, stderr bytes.Buffer
	if err := tour(&stdout, &stderr, root, []string{"pendingtasks"}); err != nil {
		t.Fatalf("tour: %v\nstderr:\n%s", err, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"=== pendingtasks: go run ./examples/pendingtasks\n",
		"Total tasks: 3\n",
		"--- pendingtasks took ",
		"=== 1 examples in ",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("tour output lacks %q:\n%s", want, out)
		}
	}
}

// TestTourFailure checks that a failing example is reported and does not
// stop the tour.
func TestTourFailure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	root, err := moduleRoot()
	if err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	err = tour(&stdout, &stderr, root, []string{"no-such-example", "pendingtasks"})
	if err == nil || !strings.Contains(err.Error(), "1 of 2 examples failed: no-such-example") {
		t.Errorf("tour error = %v, want one failure, no-such-example", err)
	}
	if out := stdout.String(); !strings.Contains(out, "--- no-such-example FAILED") || !strings.Contains(out, "--- pendingtasks took ") {
		t.Errorf("tour output:\n%s", out)
	}
}
