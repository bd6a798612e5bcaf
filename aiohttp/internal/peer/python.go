package peer

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// python is Debian's interpreter, the one its python3-* packages (aiohttp
// among them) are installed for; a python3 found first in PATH, from
// pyenv or a virtualenv, would not see them.
const python = "/usr/bin/python3"

// Python runs script, a Python program that needs only the standard
// library (http.client, ssl, ...), with /usr/bin/python3 and args as its
// sys.argv[1:], and returns what it printed on standard output. A failed
// run (exit status not 0, or longer than Timeout) is an error that carries
// the script's standard error, traceback included.
//
// The interpreter runs isolated (-I): neither the current directory nor
// PYTHON* variables nor the user's site-packages affect what it imports.
// Without /usr/bin/python3, Python ends the test through Missing.
func Python(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	requirePython(t)
	return runPython(t, script, args)
}

// PythonAiohttp is Python for a script that also imports aiohttp, such as
// a client made with aiohttp.ClientSession. Without Debian's
// python3-aiohttp it ends the test through Missing.
func PythonAiohttp(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	requireAiohttp(t)
	return runPython(t, script, args)
}

func runPython(t testing.TB, script string, args []string) ([]byte, error) {
	t.Helper()
	path := writeTemp(t, "script.py", script)
	stdout, _, err := run(t, nil, python, append([]string{"-I", path}, args...)...)
	return stdout, err
}

// PythonAiohttpServer runs an aiohttp server made of script for the rest
// of the test and returns its address, "127.0.0.1:port".
//
// The script is a Python module run with args as its sys.argv[1:]. It
// defines what to serve in one or both of:
//
//	routes       an aiohttp.web.RouteTableDef, added to the application
//	setup(app)   a function called with the web.Application to complete it
//
// and may define ssl_context, an ssl.SSLContext, to serve HTTPS, and
// runner_options, a dict of keyword arguments for web.AppRunner, such as
// keepalive_timeout (aiohttp's default is 75 seconds). The
// server listens on a port of 127.0.0.1 the kernel chooses, and is ready
// when it prints it. When the test ends it is stopped by SIGTERM, on
// which it shuts down cleanly; an exit status other than 0 (a crash)
// fails the test, and its output (tracebacks of failed handlers among
// it) is logged if the test failed.
//
// Without /usr/bin/python3 and Debian's python3-aiohttp,
// PythonAiohttpServer ends the test through Missing.
func PythonAiohttpServer(t testing.TB, script string, args ...string) string {
	t.Helper()
	requireAiohttp(t)
	path := writeTemp(t, "server.py", script)
	harness := writeTemp(t, "harness.py", aiohttpHarness)
	addr, err := start(t, func(line string) (string, bool) {
		return strings.CutPrefix(line, listeningPrefix)
	}, python, append([]string{"-I", harness, path}, args...)...)
	if err != nil {
		t.Fatalf("the aiohttp server: %v", err)
	}
	return addr
}

// listeningPrefix starts the line with which the harness reports its
// address.
const listeningPrefix = "peer: listening on "

// aiohttpHarness runs the server script named by its first argument (with
// the rest as the script's own), as PythonAiohttpServer describes.
const aiohttpHarness = `import asyncio, runpy, signal, socket, sys
from aiohttp import web

script = sys.argv[1]
sys.argv = sys.argv[1:]
defs = runpy.run_path(script, run_name="__peer_server__")
if "routes" not in defs and "setup" not in defs:
    sys.exit(script + " defines neither routes nor setup(app)")

async def serve():
    app = web.Application()
    if "routes" in defs:
        app.add_routes(defs["routes"])
    if "setup" in defs:
        defs["setup"](app)
    runner = web.AppRunner(app, **defs.get("runner_options", {}))
    await runner.setup()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    site = web.SockSite(runner, sock, shutdown_timeout=1.0,
                        ssl_context=defs.get("ssl_context"))
    await site.start()
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    host, port = sock.getsockname()[:2]
    print("` + listeningPrefix + `%s:%d" % (host, port), flush=True)
    await stop.wait()
    await runner.cleanup()

asyncio.run(serve())
`

func requirePython(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(python); err != nil {
		Missing(t, "%s not found (apt-get install python3)", python)
	}
}

func requireAiohttp(t testing.TB) {
	t.Helper()
	requirePython(t)
	if err := aiohttpImport(); err != nil {
		Missing(t, "Python's aiohttp is not importable by %s (apt-get install python3-aiohttp): %v", python, err)
	}
}

// aiohttpImport is the outcome of importing aiohttp, tried once per test
// binary since it takes a good part of a second. The import is isolated
// (-I) because a Go checkout's own aiohttp directory, in the current
// directory, would otherwise pass for the module.
var aiohttpImport = sync.OnceValue(func() error {
	return probe(python, "-I", "-c", "import aiohttp.web")
})

// PythonWebsockets is Python for a script that also imports websockets,
// the Python library of that name. Without Debian's python3-websockets it
// ends the test through Missing.
func PythonWebsockets(t testing.TB, script string, args ...string) ([]byte, error) {
	t.Helper()
	requireWebsockets(t)
	return runPython(t, script, args)
}

func requireWebsockets(t testing.TB) {
	t.Helper()
	requirePython(t)
	if err := websocketsImport(); err != nil {
		Missing(t, "Python's websockets is not importable by %s (apt-get install python3-websockets): %v", python, err)
	}
}

// websocketsImport is the outcome of importing websockets, tried once
// per test binary.
var websocketsImport = sync.OnceValue(func() error {
	return probe(python, "-I", "-c", "import websockets.client, websockets.exceptions")
})

// writeTemp writes text to a file of the given name in a directory of its
// own, removed when the test ends, and returns its path.
func writeTemp(t testing.TB, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
