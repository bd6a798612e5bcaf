package peer

import "testing"

// Node runs script, a JavaScript module (ES module syntax: import, top-level
// await) that uses Node's own modules such as node:http, with args as
// process.argv[2:], and returns what it printed on standard output. A
// failed run (exit status not 0, or longer than Timeout) is an error that
// carries the script's standard error.
//
// Without node in PATH, Node ends the test through Missing.
func Node(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	node := LookPath(t, "node", "nodejs")
	path := writeTemp(t, "script.mjs", script)
	stdout, _, err := run(t, nil, node, append([]string{path}, args...)...)
	return stdout, err
}
