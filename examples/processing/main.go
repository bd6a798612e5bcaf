//go:build unix

// Processing ports the seed tutorials' "asynchronous file processing": an
// external script processes a file, started with CreateSubprocessExec,
// and Communicate collects its output and errors while the loop goes on.
// The script here is a small shell script (the seed's is a Python one),
// run on two files at once: one that exists and one that does not, to
// show both the success and the error path.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/asyncio-go/asyncio"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "processing:", err)
		os.Exit(1)
	}
}

// script counts the words of the file named by its argument.
const script = `test -r "$1" || { echo "cannot read $(basename "$1")" >&2; exit 1; }; echo "$(basename "$1"): $(wc -w < "$1" | tr -d ' ') words"`

// runProcessingScript runs the script on path and reports its outcome, as
// the seed's run_processing_script does.
func runProcessingScript(ctx context.Context, path string) (string, error) {
	p, err := asyncio.CreateSubprocessExec(ctx, "sh", []string{"-c", script, "sh", path},
		asyncio.Stdout(asyncio.Pipe), asyncio.Stderr(asyncio.Pipe))
	if err != nil {
		return "", err
	}
	stdout, stderr, err := p.Communicate(ctx, nil)
	if err != nil {
		return "", err
	}
	if code, _ := p.ReturnCode(); code == 0 {
		return "Success: " + strings.TrimSpace(string(stdout)), nil
	}
	return "Error: " + strings.TrimSpace(string(stderr)), nil
}

func run(out io.Writer, opts ...asyncio.Option) error {
	dir, err := os.MkdirTemp("", "processing")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	example := filepath.Join(dir, "example.txt")
	if err := os.WriteFile(example, []byte("the quick brown fox jumps over the lazy dog\n"), 0o600); err != nil {
		return err
	}
	_, err = asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// Both scripts run at once; Gather keeps their order.
		results, err := asyncio.Gather(ctx,
			func(ctx context.Context) (string, error) { return runProcessingScript(ctx, example) },
			func(ctx context.Context) (string, error) {
				return runProcessingScript(ctx, filepath.Join(dir, "missing.txt"))
			},
		)
		for _, r := range results {
			fmt.Fprintln(out, r)
		}
		return struct{}{}, err
	}, opts...)
	return err
}
