package monitor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// A service is a loop run by a test, with tasks that wait in the ways a
// monitor shows. Its goroutine belongs to the test and ends at cleanup.
type service struct {
	loop  *asyncio.Loop
	tasks map[string]uint64 // task ids by name
}

// startService runs a loop with these tasks until the test ends:
//
//	sleeper     in Sleep for an hour
//	holder      holding lock, in Event.Wait
//	waiter      in Lock.Acquire of lock, waiting for holder
//	consumer    in Queue.Get of an empty queue
//	transfer-a  holding lock a, in Lock.Acquire of b, and
//	transfer-b  holding b, in Lock.Acquire of a: an await cycle
//	ticker      in Sleep for 5 ms at a time, so that the loop steps
//
// It returns once each of them has reached its wait.
func startService(t *testing.T, opts ...asyncio.Option) *service {
	t.Helper()
	ready := make(chan *service)
	stop := make(chan struct{})
	done := make(chan error)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			s := &service{loop: asyncio.RunningLoop(ctx), tasks: map[string]uint64{}}
			lock, a, b := asyncio.NewLock(), asyncio.NewLock(), asyncio.NewLock()
			never := asyncio.NewEvent()
			queue := asyncio.NewQueue[int](0)
			spawn := func(name string, fn func(context.Context) error) {
				asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) }, asyncio.Name(name))
			}
			spawn("sleeper", sleeper)
			spawn("holder", func(ctx context.Context) error { return hold(ctx, lock, never) })
			spawn("waiter", lock.Acquire)
			spawn("consumer", func(ctx context.Context) error { _, err := queue.Get(ctx); return err })
			spawn("transfer-a", func(ctx context.Context) error { return transfer(ctx, a, b) })
			spawn("transfer-b", func(ctx context.Context) error { return transfer(ctx, b, a) })
			spawn("ticker", ticker)
			// Each task reaches its first wait in the next iteration, and
			// the transfers their second in the one after.
			for range 3 {
				if err := asyncio.Sleep(ctx, 0); err != nil {
					return struct{}{}, err
				}
			}
			// Tasks show their ids only in a snapshot.
			snap, err := s.loop.Snapshot(ctx)
			if err != nil {
				return struct{}{}, err
			}
			for _, ti := range snap.Tasks {
				s.tasks[ti.Name] = ti.ID
			}
			ready <- s
			_, _, err = asyncio.Recv(ctx, stop)
			return struct{}{}, err
		}, opts...)
		done <- err
	}()
	s := <-ready
	t.Cleanup(func() {
		close(stop)
		if err := <-done; err != nil {
			t.Errorf("the service's loop: %v", err)
		}
	})
	return s
}

func sleeper(ctx context.Context) error { return asyncio.Sleep(ctx, time.Hour) }

func hold(ctx context.Context, lock *asyncio.Lock, until *asyncio.Event) error {
	if err := lock.Acquire(ctx); err != nil {
		return err
	}
	defer lock.Release()
	return until.Wait(ctx)
}

func transfer(ctx context.Context, from, to *asyncio.Lock) error {
	if err := from.Acquire(ctx); err != nil {
		return err
	}
	defer from.Release()
	if err := asyncio.Sleep(ctx, 0); err != nil {
		return err
	}
	if err := to.Acquire(ctx); err != nil {
		return err
	}
	to.Release()
	return nil
}

func ticker(ctx context.Context) error {
	for {
		if err := asyncio.Sleep(ctx, 5*time.Millisecond); err != nil {
			return err
		}
	}
}

// A client talks to a test's server.
type client struct {
	t    *testing.T
	http *http.Client
	base string
}

// serve starts an endpoint on a socket in a fresh directory, closed when
// the test ends, and returns a client of it.
func serve(t *testing.T) (*Server, *client) {
	t.Helper()
	srv, err := Start(WithSocket(shortSocketPath(t)))
	if err != nil {
		t.Fatal(err)
	}
	c := newClient(t, srv)
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
		c.http.CloseIdleConnections()
	})
	return srv, c
}

// shortSocketPath is a socket path in a directory of the test's own that
// keeps within the length a socket's path may have.
func shortSocketPath(t *testing.T) string {
	dir, err := os.MkdirTemp("", "amon")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return filepath.Join(dir, "m.sock")
}

// newClient returns a client of srv, over its Unix socket or TCP.
func newClient(t *testing.T, srv *Server) *client {
	addr := srv.Addr()
	if addr.Network() == "tcp" {
		return &client{t: t, http: &http.Client{Transport: &http.Transport{}}, base: "http://" + addr.String()}
	}
	var d net.Dialer
	tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return d.DialContext(ctx, "unix", addr.String())
	}}
	return &client{t: t, http: &http.Client{Transport: tr}, base: "http://monitor"}
}

// get fetches path and returns the status and body.
func (c *client) get(path string) (int, []byte) {
	c.t.Helper()
	resp, err := c.http.Get(c.base + path)
	if err != nil {
		c.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("GET %s: reading: %v", path, err)
	}
	return resp.StatusCode, body
}

// getJSON fetches path, which must answer 200 OK, into v.
func (c *client) getJSON(path string, v any) {
	c.t.Helper()
	status, body := c.get(path)
	if status != http.StatusOK {
		c.t.Fatalf("GET %s: %d %s", path, status, body)
	}
	if err := json.Unmarshal(body, v); err != nil {
		c.t.Fatalf("GET %s: %v in %s", path, err, body)
	}
}

// task returns the task of s named name.
func task(t *testing.T, s *asyncio.Snapshot, name string) asyncio.TaskInfo {
	t.Helper()
	for _, ti := range s.Tasks {
		if ti.Name == name {
			return ti
		}
	}
	t.Fatalf("no task %s in the snapshot: %+v", name, s.Tasks)
	return asyncio.TaskInfo{}
}

func TestLoops(t *testing.T) {
	svc := startService(t)
	_, c := serve(t)
	var p Process
	c.getJSON("/loops", &p)
	if p.PID != os.Getpid() {
		t.Errorf("pid %d, want %d", p.PID, os.Getpid())
	}
	if p.Program != filepath.Base(os.Args[0]) {
		t.Errorf("program %q, want %q", p.Program, filepath.Base(os.Args[0]))
	}
	i := slices.IndexFunc(p.Loops, func(l LoopSummary) bool { return l.ID == svc.loop.ID() })
	if i < 0 {
		t.Fatalf("loop %d not listed: %+v", svc.loop.ID(), p.Loops)
	}
	l := p.Loops[i]
	// main and its seven tasks; main runs its step only when it answers
	// the snapshot itself, which it does not here.
	want := LoopSummary{ID: svc.loop.ID(), Running: true, Tasks: 8, States: map[string]int{"waiting": 8}, Cycles: 1,
		Stalls: l.Stalls, LagMax: l.LagMax} // these two depend on the machine's load
	if fmt.Sprint(l) != fmt.Sprint(want) {
		t.Errorf("summary %+v, want %+v", l, want)
	}
}

func TestSnapshot(t *testing.T) {
	svc := startService(t)
	_, c := serve(t)
	var s asyncio.Snapshot
	c.getJSON(fmt.Sprintf("/loops/%d", svc.loop.ID()), &s)
	if s.Loop != svc.loop.ID() || s.Stale || s.Blocked != nil {
		t.Errorf("loop %d, stale %v, blocked %v; want loop %d answering", s.Loop, s.Stale, s.Blocked, svc.loop.ID())
	}
	for _, want := range []struct {
		name, wait string
		waitsFor   []uint64
	}{
		{"sleeper", "Sleep", nil},
		{"holder", "Event.Wait", nil},
		{"waiter", "Lock.Acquire", []uint64{svc.tasks["holder"]}},
		{"consumer", "Queue.Get", nil},
		{"transfer-a", "Lock.Acquire", []uint64{svc.tasks["transfer-b"]}},
		{"transfer-b", "Lock.Acquire", []uint64{svc.tasks["transfer-a"]}},
	} {
		ti := task(t, &s, want.name)
		if ti.ID != svc.tasks[want.name] || ti.State != "waiting" || ti.Wait != want.wait || !slices.Equal(ti.WaitsFor, want.waitsFor) {
			t.Errorf("%s: %+v; want #%d waiting in %s for %v", want.name, ti, svc.tasks[want.name], want.wait, want.waitsFor)
		}
		if ti.Stack != "" {
			t.Errorf("%s has a stack without ?stacks=1", want.name)
		}
	}
	a, b := svc.tasks["transfer-a"], svc.tasks["transfer-b"]
	if want := [][]uint64{{min(a, b), max(a, b)}}; fmt.Sprint(s.Cycles) != fmt.Sprint(want) {
		t.Errorf("cycles %v, want %v", s.Cycles, want)
	}
	if len(s.Lag.Buckets) == 0 {
		t.Error("no lag histogram")
	}
}

func TestSnapshotStacks(t *testing.T) {
	svc := startService(t, asyncio.WithTaskLabels(true))
	_, c := serve(t)
	var s asyncio.Snapshot
	c.getJSON(fmt.Sprintf("/loops/%d?stacks=1", svc.loop.ID()), &s)
	if st := task(t, &s, "sleeper").Stack; !strings.Contains(st, "monitor.sleeper(") {
		t.Errorf("the sleeper's stack does not show monitor.sleeper:\n%s", st)
	}
	if st := task(t, &s, "holder").Stack; !strings.Contains(st, "monitor.hold(") {
		t.Errorf("the holder's stack does not show monitor.hold:\n%s", st)
	}
	var s0 asyncio.Snapshot
	c.getJSON(fmt.Sprintf("/loops/%d?stacks=0", svc.loop.ID()), &s0)
	if st := task(t, &s0, "sleeper").Stack; st != "" {
		t.Errorf("stacks=0 gave a stack:\n%s", st)
	}
}

func TestBadRequests(t *testing.T) {
	svc := startService(t)
	_, c := serve(t)
	id := svc.loop.ID()
	for _, tc := range []struct {
		path   string
		status int
		says   string
	}{
		{"/loops/abc", 400, "not a number"},
		{"/loops/999999", 404, "no open loop 999999"},
		{fmt.Sprintf("/loops/%d?stacks=maybe", id), 400, "want 1 or 0"},
		{fmt.Sprintf("/loops/%d/trace?seconds=0", id), 400, "at most 60"},
		{fmt.Sprintf("/loops/%d/trace?seconds=61", id), 400, "at most 60"},
		{fmt.Sprintf("/loops/%d/trace?seconds=NaN", id), 400, "at most 60"},
		{fmt.Sprintf("/loops/%d/trace?seconds=soon", id), 400, "at most 60"},
		{"/loops/999999/trace", 404, "no open loop"},
		{"/nothing", 404, ""},
	} {
		status, body := c.get(tc.path)
		if status != tc.status || !strings.Contains(string(body), tc.says) {
			t.Errorf("GET %s: %d %s; want %d saying %q", tc.path, status, body, tc.status, tc.says)
		}
		if tc.says != "" {
			var e struct{ Error string }
			if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
				t.Errorf("GET %s: the error is not a JSON object with an error field: %s", tc.path, body)
			}
		}
	}
	resp, err := c.http.Post(c.base+"/loops", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /loops: %s, want 405", resp.Status)
	}
}

// traceFile is the part of a Chrome trace the tests look at.
type traceFile struct {
	TraceEvents []struct {
		Name string            `json:"name"`
		Cat  string            `json:"cat"`
		Ph   string            `json:"ph"`
		Tid  uint64            `json:"tid"`
		Dur  float64           `json:"dur"`
		Args map[string]string `json:"args"`
	} `json:"traceEvents"`
}

func TestTrace(t *testing.T) {
	svc := startService(t)
	_, c := serve(t)
	resp, err := c.http.Get(fmt.Sprintf("%s/loops/%d/trace?seconds=0.3", c.base, svc.loop.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "application/json" {
		t.Fatalf("%s, Content-Type %q", resp.Status, ct)
	}
	var tr traceFile
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil {
		t.Fatal(err)
	}
	id := svc.tasks["ticker"]
	var named bool
	var steps, sleeps int
	for _, e := range tr.TraceEvents {
		switch {
		case e.Ph == "M" && e.Name == "thread_name" && e.Tid == id:
			named = e.Args["name"] == fmt.Sprintf("ticker (#%d)", id)
		case e.Ph == "X" && e.Tid == id && e.Cat == "step":
			steps++
		case e.Ph == "X" && e.Tid == id && e.Cat == "wait" && e.Name == "Sleep":
			sleeps++
		}
	}
	// The ticker steps every 5 ms: in 300 ms, many times even on a
	// loaded machine.
	if !named || steps < 5 || sleeps < 5 {
		t.Errorf("ticker's track named %v, with %d steps and %d sleeps; want it named and at least 5 of each", named, steps, sleeps)
	}
}

func TestTraceConflict(t *testing.T) {
	svc := startService(t)
	_, c := serve(t)
	if err := svc.loop.StartTrace(io.Discard); err != nil {
		t.Fatal(err)
	}
	status, body := c.get(fmt.Sprintf("/loops/%d/trace?seconds=1", svc.loop.ID()))
	if err := svc.loop.StopTrace(); err != nil {
		t.Fatal(err)
	}
	if status != http.StatusConflict || !strings.Contains(string(body), "being traced already") {
		t.Errorf("a second trace: %d %s; want 409", status, body)
	}
}

// Close ends a trace in flight, and the trace it stops is no longer
// running.
func TestCloseEndsTrace(t *testing.T) {
	svc := startService(t)
	srv, c := serve(t)
	resp, err := c.http.Get(fmt.Sprintf("%s/loops/%d/trace?seconds=60", c.base, svc.loop.ID()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	// The headers come once the trace has started.
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("trace: %s", resp.Status)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Error("the body of a trace cut short by Close read without error")
	}
	if err := svc.loop.StartTrace(io.Discard); err != nil {
		t.Fatalf("after Close, StartTrace: %v; the endpoint's trace still runs", err)
	}
	svc.loop.StopTrace()
	if err := srv.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// A loop stuck in a step still answers, through its last snapshot and
// the watchdog's report of the step.
func TestBlockedLoop(t *testing.T) {
	caught := make(chan asyncio.Stall, 1)
	release := make(chan struct{})
	ready := make(chan *asyncio.Loop)
	done := make(chan error)
	go func() {
		_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
			ready <- asyncio.RunningLoop(ctx)
			task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				blockLoop(release)
				return struct{}{}, nil
			}, asyncio.Name("blocker"))
			return task.Wait(ctx)
		},
			asyncio.WithSlowDuration(20*time.Millisecond),
			asyncio.WithStallHandler(func(s asyncio.Stall) {
				if s.Task != "blocker" {
					return // a step slowed down by a loaded machine
				}
				select {
				case caught <- s:
				default:
				}
			}))
		done <- err
	}()
	loop := <-ready
	defer func() {
		close(release)
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	_, c := serve(t)
	<-caught

	var s asyncio.Snapshot
	c.getJSON(fmt.Sprintf("/loops/%d", loop.ID()), &s)
	if !s.Stale || s.Blocked == nil {
		t.Fatalf("stale %v, blocked %+v; want a stale snapshot naming the blocked step", s.Stale, s.Blocked)
	}
	if s.Blocked.Task != "blocker" || !s.Blocked.Ongoing || !strings.Contains(s.Blocked.Stack, "monitor.blockLoop(") {
		t.Errorf("blocked: %+v; want the ongoing step of blocker in monitor.blockLoop", s.Blocked)
	}
	var p Process
	c.getJSON("/loops", &p)
	i := slices.IndexFunc(p.Loops, func(l LoopSummary) bool { return l.ID == loop.ID() })
	if i < 0 || !p.Loops[i].Blocked || !p.Loops[i].Stale {
		t.Errorf("loops: %+v; want loop %d blocked and stale", p.Loops, loop.ID())
	}
}

// blockLoop blocks the task that calls it, and so its loop, until release
// is closed: the bug the watchdog is there to catch.
func blockLoop(release chan struct{}) { <-release }

func TestPage(t *testing.T) {
	_, c := serve(t)
	for _, tc := range []struct{ path, contentType, has string }{
		{"/", "text/html; charset=utf-8", `<svg id="lag-chart"`},
		{"/static/monitor.js", "text/javascript; charset=utf-8", "function renderLagChart"},
		{"/static/monitor.css", "text/css; charset=utf-8", ".state-running"},
	} {
		resp, err := c.http.Get(c.base + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.contentType || !strings.Contains(string(body), tc.has) {
			t.Errorf("GET %s: %s, %q, has %q: %v", tc.path, resp.Status, resp.Header.Get("Content-Type"), tc.has, strings.Contains(string(body), tc.has))
		}
	}
}

func TestHandlerUnderPrefix(t *testing.T) {
	svc := startService(t)
	mux := http.NewServeMux()
	mux.Handle("/debug/asyncio/", http.StripPrefix("/debug/asyncio", Handler()))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(ln, mux)
	defer srv.Close()
	c := newClient(t, srv)
	defer c.http.CloseIdleConnections()
	var s asyncio.Snapshot
	c.getJSON(fmt.Sprintf("/debug/asyncio/loops/%d", svc.loop.ID()), &s)
	if task(t, &s, "sleeper").Wait != "Sleep" {
		t.Errorf("under a prefix: %+v", s.Tasks)
	}
	if status, body := c.get("/debug/asyncio/"); status != 200 || !strings.Contains(string(body), `src="static/monitor.js"`) {
		t.Errorf("the page under a prefix: %d", status)
	}
}

func TestDefaultSocket(t *testing.T) {
	path := SocketPath(os.Getpid())
	if want := filepath.Join(os.TempDir(), fmt.Sprintf("asyncio-%d.sock", os.Getpid())); path != want {
		t.Errorf("SocketPath = %s, want %s", path, want)
	}
	srv, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	if got := srv.Addr().String(); got != path {
		t.Errorf("Addr %s, want %s", got, path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode %v, want a socket with mode 0600", fi.Mode())
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("after Close, the socket is still there: %v", err)
	}
}

func TestSocketInUse(t *testing.T) {
	path := shortSocketPath(t)

	// A socket nobody listens on any more is replaced.
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	srv, err := Start(WithSocket(path))
	if err != nil {
		t.Fatalf("over a leftover socket: %v", err)
	}
	defer srv.Close()

	// One that is served is not.
	if s2, err := Start(WithSocket(path)); err == nil || !strings.Contains(err.Error(), "another endpoint is serving there") {
		if s2 != nil {
			s2.Close()
		}
		t.Errorf("a second endpoint on the same socket: %v; want an error", err)
	}

	// Nor is a file that is not a socket.
	file := filepath.Join(filepath.Dir(path), "file")
	if err := os.WriteFile(file, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	if s3, err := Start(WithSocket(file)); err == nil {
		s3.Close()
		t.Error("Start over a regular file succeeded")
	}
	if b, err := os.ReadFile(file); err != nil || string(b) != "keep" {
		t.Errorf("the regular file is gone or changed: %q, %v", b, err)
	}

	long := "/tmp/" + strings.Repeat("x", 120) + ".sock"
	if _, err := Start(WithSocket(long)); err == nil || !strings.Contains(err.Error(), "bytes long") {
		t.Errorf("a path of %d bytes: %v; want an error about its length", len(long), err)
	}
}

func TestTCP(t *testing.T) {
	svc := startService(t)
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		srv, err := Start(WithTCP(addr))
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		c := newClient(t, srv)
		var s asyncio.Snapshot
		c.getJSON(fmt.Sprintf("/loops/%d", svc.loop.ID()), &s)
		if len(s.Tasks) == 0 {
			t.Errorf("%s: no tasks", addr)
		}
		c.http.CloseIdleConnections()
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	}
	for _, tc := range []struct{ addr, says string }{
		{":6060", "every interface"},
		{"0.0.0.0:0", "not a loopback address"},
		{"[::]:0", "not a loopback address"},
		{"192.0.2.1:0", "not a loopback address"},
		{"example.com:80", "not a host name"},
		{"6060", "TCP address"},
	} {
		if srv, err := Start(WithTCP(tc.addr)); err == nil || !strings.Contains(err.Error(), tc.says) {
			if srv != nil {
				srv.Close()
			}
			t.Errorf("WithTCP(%q): %v; want an error saying %q", tc.addr, err, tc.says)
		}
	}
}

func TestParseEnv(t *testing.T) {
	for _, tc := range []struct {
		v       string
		on      bool
		network string
		address string
		err     bool
	}{
		{v: ""},
		{v: "0"},
		{v: "1", on: true, network: "unix", address: SocketPath(os.Getpid())},
		{v: "unix:/run/app.sock", on: true, network: "unix", address: "/run/app.sock"},
		{v: "127.0.0.1:6060", on: true, network: "tcp", address: "127.0.0.1:6060"},
		{v: "localhost:6060", on: true, network: "tcp", address: "localhost:6060"},
		{v: "unix:", err: true},
		{v: "yes", err: true},
	} {
		opts, on, err := parseEnv(tc.v)
		if (err != nil) != tc.err || on != tc.on {
			t.Errorf("parseEnv(%q): on %v, err %v", tc.v, on, err)
			continue
		}
		if !on {
			continue
		}
		cfg := config{network: "unix", address: SocketPath(os.Getpid())}
		for _, o := range opts {
			o(&cfg)
		}
		if cfg.network != tc.network || cfg.address != tc.address {
			t.Errorf("parseEnv(%q): %s %s, want %s %s", tc.v, cfg.network, cfg.address, tc.network, tc.address)
		}
	}
	if os.Getenv(EnvVar) == "" && Default() != nil {
		t.Errorf("Default() = %v with %s unset", Default(), EnvVar)
	}
}
