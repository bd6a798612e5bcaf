package main

import (
	"errors"
	"time"
)

// httpServerConfig is the http-server subcommand's flags.
type httpServerConfig struct {
	addr    string
	workers int // loops serving the listener: aiohttp.Workers
}

// httpClientConfig is the http-client subcommand's flags.
type httpClientConfig struct {
	url              string
	tasks            int
	warmup, duration time.Duration
	pid              int // the server's, for its CPU time; 0: not measured
	// idle, if not 0, asks instead for the client's memory per idle
	// pooled connection, with idle requests at once.
	idle int
}

// exitUnavailable is the exit status of the http modes in a build that
// does not have them (not Linux); bench/run.sh then leaves our HTTP peer out.
const exitUnavailable = 3

// errHTTPUnavailable is why a build for another system than Linux
// (http_other.go) has no http-server, http-client and ws-server modes.
var errHTTPUnavailable = errors.New("http-server, http-client, ws-server: not available: they need Linux (/proc)")
