package peer

import (
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// Node runs script, a JavaScript module (ES module syntax: import, top-level
// await) that uses Node's own modules such as node:http, with args as
// process.argv[2:], and returns what it printed on standard output. A
// failed run (exit status not 0, or longer than Timeout) is an error that
// carries the script's standard error.
//
// Modules installed from Debian, such as its node-ws, are found through
// NODE_PATH (see environ), which only require looks at: a script gets
// them with createRequire from node:module, not with import.
//
// Without node in PATH, Node ends the test through Missing.
func Node(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	node := LookPath(t, "node", "nodejs")
	path := writeTemp(t, "script.mjs", script)
	stdout, _, err := run(t, nil, node, append([]string{path}, args...)...)
	return stdout, err
}

// NodeServer runs script, a JavaScript module as for Node, as a server in
// the background for the rest of the test, and returns it once it has
// printed a line "peer: listening on host:port" (its address). The server
// is stopped when the test ends (see Server); a script that handles
// SIGTERM, or exits by itself, ends with status 0, as it must.
//
// Without node in PATH, NodeServer ends the test through Missing.
func NodeServer(t testing.TB, script string, args ...string) *Server {
	t.Helper()
	node := LookPath(t, "node", "nodejs")
	path := writeTemp(t, "server.mjs", script)
	p, err := startProgram(t, func(line string) (string, bool) {
		return strings.CutPrefix(line, listeningPrefix)
	}, node, append([]string{path}, args...)...)
	if err != nil {
		t.Fatalf("the Node server: %v", err)
	}
	return &Server{Addr: p.ready, p: p}
}

// requireNodeWS ends the test through Missing unless node can require
// the ws package.
func requireNodeWS(t testing.TB) {
	t.Helper()
	LookPath(t, "node", "nodejs")
	if err := nodeWSRequire(); err != nil {
		Missing(t, "Node's ws package is not found by node (apt-get install node-ws): %v", err)
	}
}

// nodeWSRequire is the outcome of requiring ws, tried once per test
// binary, with the environment the scripts get.
var nodeWSRequire = sync.OnceValue(func() error {
	node, err := exec.LookPath("node")
	if err != nil {
		return err
	}
	return probe(node, "-e", "require('ws')")
})
