package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/asyncio-go/asyncio"
)

// howToServe says how a program comes to serve the endpoint, for errors.
const howToServe = "the program serves it if it imports github.com/asyncio-go/asyncio/monitor " +
	"and runs with ASYNCIOMONITOR=1 in its environment, or calls monitor.Start"

// snapshotTimeout bounds a request for a snapshot. The endpoint answers
// within about a second even for a stuck loop, so this is only against a
// peer that is not the endpoint at all.
const snapshotTimeout = 10 * time.Second

// socketPath is where the endpoint of process pid serves by default. It
// must agree with monitor.SocketPath, which a test checks; the command
// does not import package monitor, whose init would start an endpoint in
// the command itself when ASYNCIOMONITOR is set in the user's shell.
func socketPath(pid int) string {
	return filepath.Join(os.TempDir(), "asyncio-"+strconv.Itoa(pid)+".sock")
}

// An endpoint is the monitor endpoint of one program.
type endpoint struct {
	name   string // as errors name it: "process 4242" or the address
	client *http.Client
	base   string // the URL the endpoint's paths are relative to
	// leftover explains a refused connection to a Unix socket.
	leftover string
}

// dial resolves a PID or ADDR operand to an endpoint. It makes no
// connection: the first request does.
func dial(target string) (*endpoint, error) {
	if pid, err := strconv.Atoi(target); err == nil {
		if pid <= 0 {
			return nil, fmt.Errorf("%d is not a process id", pid)
		}
		if !processExists(pid) {
			return nil, fmt.Errorf("no such process: %d", pid)
		}
		path := socketPath(pid)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("process %d serves no asyncio monitor endpoint (there is no %s); %s", pid, path, howToServe)
		}
		return unixEndpoint(fmt.Sprintf("process %d", pid), path), nil
	}
	if strings.Contains(target, "/") {
		return unixEndpoint(target, target), nil
	}
	if _, _, err := net.SplitHostPort(target); err == nil {
		return &endpoint{name: target, client: &http.Client{Transport: &http.Transport{}}, base: "http://" + target}, nil
	}
	if _, err := os.Stat(target); err == nil {
		return unixEndpoint(target, target), nil // a socket in the working directory
	}
	return nil, fmt.Errorf("%q is neither a process id, a Unix socket's path nor a HOST:PORT", target)
}

// unixEndpoint is the endpoint serving on the Unix socket at path.
func unixEndpoint(name, path string) *endpoint {
	var d net.Dialer
	tr := &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return d.DialContext(ctx, "unix", path)
		},
	}
	// The host of the URL is never dialled; it only has to be valid.
	return &endpoint{
		name:     name,
		client:   &http.Client{Transport: tr},
		base:     "http://asyncio-monitor",
		leftover: " (a program that exits without closing its endpoint leaves the socket behind)",
	}
}

// close closes the idle connections the endpoint's client keeps.
func (e *endpoint) close() { e.client.CloseIdleConnections() }

// processExists reports whether a process pid exists. A process of
// another user exists too: signalling it is denied, not unknown.
func processExists(pid int) bool {
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	defer p.Release()
	return !errors.Is(p.Signal(syscall.Signal(0)), os.ErrProcessDone)
}

// get requests path from the endpoint and returns the response, whose
// body the caller closes, if its status is 200 OK.
func (e *endpoint) get(ctx context.Context, path string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+path, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("nothing serves an asyncio monitor endpoint at %s%s; %s", e.name, e.leftover, howToServe)
		}
		return nil, fmt.Errorf("%s: %w", e.name, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	var body struct {
		Error string `json:"error"`
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&body) != nil || body.Error == "" {
		return nil, fmt.Errorf("%s answered %s for %s: is it an asyncio monitor endpoint?", e.name, resp.Status, path)
	}
	return nil, &statusError{status: resp.StatusCode, msg: e.name + ": " + body.Error}
}

// A statusError is an error the endpoint answered with.
type statusError struct {
	status int // the HTTP status
	msg    string
}

func (e *statusError) Error() string { return e.msg }

// getJSON requests path from the endpoint and decodes its JSON into v.
func (e *endpoint) getJSON(ctx context.Context, path string, v any) error {
	ctx, cancel := context.WithTimeout(ctx, snapshotTimeout)
	defer cancel()
	resp, err := e.get(ctx, path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		return fmt.Errorf("%s: reading %s: %w", e.name, path, err)
	}
	return nil
}

// process is what the endpoint's /loops says of the program; the command
// needs only this much of it.
type process struct {
	PID     int    `json:"pid"`
	Program string `json:"program"`
	Loops   []struct {
		ID uint64 `json:"id"`
	} `json:"loops"`
}

// snapshots returns the program's description and a snapshot of each of
// its loops, oldest loop first.
func (e *endpoint) snapshots(ctx context.Context) (*process, []*asyncio.Snapshot, error) {
	var p process
	if err := e.getJSON(ctx, "/loops", &p); err != nil {
		return nil, nil, err
	}
	var snaps []*asyncio.Snapshot
	for _, l := range p.Loops {
		s := new(asyncio.Snapshot)
		err := e.getJSON(ctx, fmt.Sprintf("/loops/%d", l.ID), s)
		if se := (*statusError)(nil); errors.As(err, &se) && se.status == http.StatusNotFound {
			continue // the loop closed since the list was made
		}
		if err != nil {
			return nil, nil, err
		}
		snaps = append(snaps, s)
	}
	return &p, snaps, nil
}
