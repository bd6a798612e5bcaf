// Tour is the project's main program: it runs every example program in
// turn, each with "go run ./examples/NAME" from the module root, and shows
// a header, the program's output as it comes, and how long the program
// took by the wall clock, compilation included.
//
// Run it from anywhere inside the repository:
//
//	go run ./examples/tour
//
// The tour holds no example code of its own, so what it shows is exactly
// what each program prints when run by itself.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// examples are the programs the tour runs, in order: folder names under
// examples/. main_test.go checks that every example folder is listed.
var examples = []string{
	"greet",
	"count",
	"fetchdata",
	"fetchsave",
	"timeout",
	"cancellation",
	"callbacks",
	"pendingtasks",
	"tasktree",
	"blockingcall",
	"profiling",
	"monitored",
	"simnet",
	"virtualtime",
	"lockcounter",
	"semaphore",
	"event",
	"condition",
	"producerconsumer",
	"executor",
	"debouncer",
	"ratelimiter",
	"retry",
	"shutdown",
	"echo",
	"chat",
	"proxy",
	"udpecho",
	"workers",
	"fetchmany",
	"webserver",
	"reverseproxy",
	"sdkclient",
	"wsclient",
	"wschat",
	"wsticker",
	"processing",
	"files",
	"checksum",
	"dbcrud",
	"dbrepo",
	"dbmock",
	"dbhttp",
	"apiserver",
	"dbjobs",
	"mongousers",
	"jobsqueue",
	"jobsweb",
	"jobsfanout",
}

func main() {
	root, err := moduleRoot()
	if err == nil {
		err = tour(os.Stdout, os.Stderr, root, examples)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "tour:", err)
		os.Exit(1)
	}
}

// moduleRoot returns the root directory of the module the tour belongs to,
// found the way the go command finds it: from the working directory.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w (is the go command installed and on PATH?)", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("the working directory is not inside a Go module; run the tour from the asyncio repository: go run ./examples/tour")
	}
	root := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(root, "examples", "tour")); err != nil {
		return "", fmt.Errorf("module %s has no examples/tour; run the tour from the asyncio repository", gomod)
	}
	return root, nil
}

// tour runs the named examples one after the other from root, streaming
// their standard output to stdout and their standard error to stderr. It
// runs every example even if one fails, and then reports the failures.
func tour(stdout, stderr io.Writer, root string, names []string) error {
	start := time.Now()
	var failed []string
	for _, name := range names {
		fmt.Fprintf(stdout, "=== %s: go run ./examples/%s\n", name, name)
		began := time.Now()
		cmd := exec.Command("go", "run", "./examples/"+name)
		cmd.Dir = root
		cmd.Stdout, cmd.Stderr = stdout, stderr
		err := cmd.Run()
		took := time.Since(began).Round(10 * time.Millisecond)
		if err != nil {
			fmt.Fprintf(stdout, "--- %s FAILED after %v: %v\n\n", name, took, err)
			failed = append(failed, name)
			continue
		}
		fmt.Fprintf(stdout, "--- %s took %v\n\n", name, took)
	}
	fmt.Fprintf(stdout, "=== %d examples in %v\n", len(names), time.Since(start).Round(10*time.Millisecond))
	if len(failed) > 0 {
		return fmt.Errorf("%d of %d examples failed: %s", len(failed), len(names), strings.Join(failed, ", "))
	}
	return nil
}
