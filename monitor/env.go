package monitor

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvVar is the environment variable that starts the endpoint when the
// package is imported (see the package documentation).
const EnvVar = "ASYNCIOMONITOR"

// fromEnv is the server init started, if any. It is written only by init,
// before main runs, so reading it needs no lock.
var fromEnv *Server

// init starts the endpoint if ASYNCIOMONITOR asks for it. The server it
// starts belongs to the package and serves until the process exits, or
// until the program closes it through Default.
func init() {
	v := os.Getenv(EnvVar)
	opts, on, err := parseEnv(v)
	if err == nil && on {
		fromEnv, err = start(opts)
	}
	if err != nil {
		// A debugging aid that cannot start must not keep the program
		// from starting: say why, and go on without it.
		fmt.Fprintf(os.Stderr, "asyncio monitor: %s=%s: %v; running without it\n", EnvVar, v, err)
	}
}

// Default returns the server started because ASYNCIOMONITOR was set, or
// nil if none was. A program can print its Addr, or Close it.
func Default() *Server { return fromEnv }

// parseEnv reads a value of ASYNCIOMONITOR: whether it asks for an
// endpoint, and where.
func parseEnv(v string) (opts []Option, on bool, err error) {
	switch {
	case v == "" || v == "0":
		return nil, false, nil
	case v == "1":
		return nil, true, nil
	case strings.HasPrefix(v, "unix:"):
		path := strings.TrimPrefix(v, "unix:")
		if path == "" {
			return nil, false, errors.New("unix: needs a path, as in unix:/run/app/asyncio.sock")
		}
		return []Option{WithSocket(path)}, true, nil
	case strings.Contains(v, ":"):
		return []Option{WithTCP(v)}, true, nil
	}
	return nil, false, errors.New("want 1 (the socket " + SocketPath(os.Getpid()) + "), unix:PATH, or a loopback HOST:PORT such as 127.0.0.1:6060")
}
