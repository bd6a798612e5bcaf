package aiohttp_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

// leakGrace bounds the wait for goroutines to end after a test's loop has
// closed; they end as soon as their connections and pipes are closed, so
// the grace is only a deadline, seldom waited for.
const leakGrace = 5 * time.Second

// shutdownGrace bounds Shutdown at the end of a test: every request must
// have ended by then, or a task was left behind.
const shutdownGrace = 10 * time.Second

// served is what a test's client is told of the server under test.
type served struct {
	addr string // "127.0.0.1:port"
	url  string // "http://addr" or "https://addr"
}

// serveChecked serves h with opts on a loop of its own (asyncio.Run) and
// runs client on the loop's executor (asyncio.ToThread), so that the loop
// serves while client blocks on a peer process or on a socket. Once client
// returns it shuts the server down and checks that nothing of the server
// is left: Shutdown ends without running out of time (no request still
// running), the loop has no task but the main one, and after the loop
// closed, no file descriptor and no goroutine outlive it. The scheme is
// https when opts serve TLS, which the caller says with tls. client runs
// off the test's goroutine, so the test calls peer.Need for the peers it
// runs before serveChecked.
func serveChecked(t *testing.T, h http.Handler, opts []aiohttp.ServerOption, tls bool, client func(s served)) {
	t.Helper()
	fdsBefore := openFDs(t)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, opts...)
		if err != nil {
			return struct{}{}, err
		}
		s := served{addr: srv.Addr().String()}
		s.url = "http://" + s.addr
		if tls {
			s.url = "https://" + s.addr
		}
		_, clientErr := asyncio.ToThread(ctx, func() (struct{}, error) {
			client(s)
			return struct{}{}, nil
		})
		sctx, cancel := context.WithTimeout(ctx, shutdownGrace)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("Shutdown: %v (a request's task did not end)", err)
		}
		self := asyncio.CurrentTask(ctx)
		for _, task := range asyncio.AllTasks(ctx) {
			if task != self {
				t.Errorf("after Shutdown, task %q is left", task.Name())
			}
		}
		return struct{}{}, clientErr
	})
	if err != nil {
		t.Fatal(err)
	}
	if leaked := leakcheck.Leaked(leakGrace); len(leaked) > 0 {
		t.Errorf("%d goroutines outlive the loop:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
	}
	checkFDs(t, fdsBefore)
}

// warmFDs opens once what the runtime keeps open for the rest of the
// process (the network poller's descriptors), so that the first test's
// count of descriptors is not thrown off by it.
var warmFDs = sync.OnceFunc(func() {
	if l, err := net.Listen("tcp", "127.0.0.1:0"); err == nil {
		l.Close()
	}
})

// openFDs returns the process's open file descriptors and what each is
// (a socket, a pipe, a file), or nil where /proc/self/fd does not exist
// (off Linux).
func openFDs(t *testing.T) map[string]string {
	t.Helper()
	warmFDs()
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return nil
	}
	fds := make(map[string]string, len(entries))
	for _, e := range entries {
		target, _ := os.Readlink("/proc/self/fd/" + e.Name())
		fds[e.Name()] = target
	}
	return fds
}

// checkFDs reports the descriptors open now that were not before.
func checkFDs(t *testing.T, before map[string]string) {
	t.Helper()
	if before == nil {
		return
	}
	after := openFDs(t)
	var leaked []string
	for fd, target := range after {
		if before[fd] != target && !strings.HasPrefix(target, "/proc/") {
			leaked = append(leaked, fd+" -> "+target+socketState(target))
		}
	}
	if len(leaked) > 0 {
		t.Errorf("file descriptors open after the test that were not before: %v", leaked)
	}
}

// socketState describes the TCP socket named by target ("socket:[inode]")
// as /proc/net/tcp shows it: " local remote state", all in hex, or "".
func socketState(target string) string {
	inode, ok := strings.CutPrefix(target, "socket:[")
	if !ok {
		return ""
	}
	inode = strings.TrimSuffix(inode, "]")
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(table)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			f := strings.Fields(line)
			if len(f) > 9 && f[9] == inode {
				return " (" + f[1] + " -> " + f[2] + ", TCP state " + f[3] + ")"
			}
		}
	}
	return ""
}

// fdLimit is the process's soft limit on open file descriptors, or 0 if
// unknown.
func fdLimit() int {
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err != nil {
		return 0
	}
	return int(min(rl.Cur, 1<<30))
}

// goClient returns net/http's client with a transport of its own, and
// a function that closes its idle connections, for the end of the client
// function of serveChecked (the fd check runs before the test's cleanups).
func goClient(tr *http.Transport) (*http.Client, func()) {
	if tr == nil {
		tr = &http.Transport{}
	}
	return &http.Client{Transport: tr, Timeout: 20 * time.Second}, tr.CloseIdleConnections
}

// connCounter counts the distinct connections requests came on, by their
// remote address; it is used by handlers (on the loop) and read by the
// test once the client is done.
type connCounter struct {
	mu    sync.Mutex
	addrs map[string]int
}

// see records r's connection; a nil counter counts nothing.
func (c *connCounter) see(r *http.Request) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.addrs == nil {
		c.addrs = map[string]int{}
	}
	c.addrs[r.RemoteAddr]++
}

// conns returns how many distinct connections were seen.
func (c *connCounter) conns() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.addrs)
}

// echoDigest is a handler that reads the request body and answers with its
// method, path, length and SHA-256, plus the framing it came with in
// headers.
func echoDigest(count *connCounter) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		count.see(r)
		h := sha256.New()
		n, err := io.Copy(h, r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("X-Proto", r.Proto)
		w.Header().Set("X-Transfer-Encoding", strings.Join(r.TransferEncoding, ","))
		w.Header().Set("X-TLS", boolString(r.TLS != nil))
		io.WriteString(w, r.Method+" "+r.URL.Path+" "+strconv.FormatInt(n, 10)+" "+hex.EncodeToString(h.Sum(nil)))
	}
}

// digestLine is what echoDigest answers for a request of method to path
// with body.
func digestLine(method, path string, body []byte) string {
	sum := sha256.Sum256(body)
	return method + " " + path + " " + strconv.Itoa(len(body)) + " " + hex.EncodeToString(sum[:])
}

func boolString(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

// resetClose closes c with SO_LINGER 0, so that the peer sees a reset
// (RST) rather than an orderly end.
func resetClose(t *testing.T, c net.Conn) {
	t.Helper()
	if tc, ok := c.(*net.TCPConn); ok {
		if err := tc.SetLinger(0); err != nil {
			t.Error(err)
		}
	}
	c.Close()
}

// isConnEnd reports whether err is how a connection the server closed or
// reset shows to a reader: EOF or a reset.
func isConnEnd(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}
