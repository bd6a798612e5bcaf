//go:build unix

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// ogenVersion is the generator the test uses: a client generator nobody
// here wrote, reading the document as a user's tools would.
const ogenVersion = "v1.25.0"

// TestOgenClient generates a Go client from the app's OpenAPI document
// with ogen, in a module of its own in a temporary directory (so that
// ogen is not a dependency of this module), and runs a program that
// calls the running app through it: the document says what the app does
// closely enough for a typed client to use it, answers and errors alike.
//
// It needs the Go module proxy for ogen; without it the test is skipped,
// but fails when CI=true.
func TestOgenClient(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and builds a client with ogen")
	}
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("openapi.json", string(newApp(Config{}).OpenAPI()))
	write("go.mod", "module apiclient\n\ngo 1.26\n")
	program, err := os.ReadFile("testdata/ogenclient/main.go.txt")
	if err != nil {
		t.Fatal(err)
	}
	write("main.go", string(program))
	goCmd := func(args ...string) (string, error) {
		cmd := exec.Command("go", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	for _, args := range [][]string{
		{"run", "github.com/ogen-go/ogen/cmd/ogen@" + ogenVersion, "--target", "client", "--package", "client", "--clean", "openapi.json"},
		{"get", "github.com/ogen-go/ogen@" + ogenVersion},
		{"mod", "tidy"},
		{"build", "-o", "apiclient", "."},
	} {
		if out, err := goCmd(args...); err != nil {
			if os.Getenv("CI") != "true" && strings.Contains(out, "proxy.golang.org") {
				t.Skipf("go %s: the module proxy is out of reach: %v\n%s", args[0], err, out)
			}
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	serveApp(t, func(ctx context.Context, base string) error {
		out, err := asyncio.ToThread(ctx, func() ([]byte, error) {
			return exec.Command(filepath.Join(dir, "apiclient"), base).CombinedOutput()
		})
		if err != nil {
			t.Errorf("the generated client's program: %v\n%s", err, out)
			return nil
		}
		const want = `root: Hello World
delay: Waited 0 seconds
user 1: Ann <ann@example.com>
user 99: 404 User not found
created: user 3 Dee
same email again: 409 a user with email dee@example.com exists
notification: notification queued
parallel: 3 results
fetch: {"author":"Yours Truly","title":"Sample Slide Show"}
`
		if string(out) != want {
			t.Errorf("the generated client's program printed\n%s\nwant\n%s", out, want)
		}
		return nil
	})
}
