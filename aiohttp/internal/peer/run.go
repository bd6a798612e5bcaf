package peer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Timeout bounds every run of a peer program and every wait for a peer
// server to be ready: ample on a loaded machine, and short enough that a
// hung peer fails its own test rather than the whole test binary.
const Timeout = 30 * time.Second

// run runs the program at path with args to completion, its standard
// input read from stdin (nothing if nil), and returns what it wrote. An
// exit status other than 0, or a run longer than Timeout, is an error
// that carries the program's standard error.
func run(t testing.TB, stdin io.Reader, path string, args ...string) (stdout, stderr []byte, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = environ()
	cmd.Stdin = stdin
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	// A child of the program that inherited its output would keep Run
	// from returning after a timeout; WaitDelay bounds that wait.
	cmd.WaitDelay = time.Second
	err = cmd.Run()
	name := filepath.Base(path)
	switch {
	case err != nil && ctx.Err() != nil:
		err = fmt.Errorf("%s did not finish within %v (%w)\nstderr:\n%s", name, Timeout, err, errOut.Bytes())
	case err != nil:
		err = fmt.Errorf("%s: %w\nstderr:\n%s", name, err, errOut.Bytes())
	}
	return out.Bytes(), errOut.Bytes(), err
}

// environ is the environment of a peer: the test's own, without the proxy
// settings that curl and Python's urllib would otherwise obey, so that a
// developer's proxy never stands between a peer and a test's server, and
// with Debian's directories of Node modules in NODE_PATH. Debian's own
// node searches them anyway, but a node from elsewhere (NodeSource's
// package, say) does not, and would miss node-ws.
func environ() []string {
	var env []string
	nodePath := debianNodePath
	for _, kv := range os.Environ() {
		name, value, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy":
			continue
		}
		if name == "NODE_PATH" {
			if value != "" {
				nodePath = value + string(os.PathListSeparator) + nodePath
			}
			continue
		}
		env = append(env, kv)
	}
	return append(env, "NODE_PATH="+nodePath)
}

// debianNodePath lists where Debian installs Node modules (node-ws puts
// ws in the first).
const debianNodePath = "/usr/share/nodejs:/usr/lib/nodejs"

// probe runs the program at path with args, a check that a module of a
// peer is installed, and returns its failure with its output. It runs
// with the environment the peers get.
func probe(path string, args ...string) error {
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Env = environ()
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
