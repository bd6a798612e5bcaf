package peer_test

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// standIn is net/http's server, standing in for aiohttp's until it
// exists, with a count of the connections it accepted.
type standIn struct {
	*httptest.Server
	conns atomic.Int32
}

// newStandIn starts a stand-in server with handler, over TLS with config
// if it is not nil, closed when the test ends.
func newStandIn(t *testing.T, handler http.HandlerFunc, config *tls.Config) *standIn {
	t.Helper()
	s := &standIn{Server: httptest.NewUnstartedServer(handler)}
	s.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Config.ErrorLog = log.New(testWriter{t}, "stand-in server: ", 0)
	if config != nil {
		s.TLS = config
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// testWriter writes to the test's log.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// echo answers a request with its method, path and body.
func echo(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("X-Proto", r.Proto)
	io.WriteString(w, r.Method+" "+r.URL.Path+" "+string(body))
}

// newClient returns a Go client, net/http's, standing in for aiohttp's,
// with a transport of its own whose idle connections are closed when the
// test ends.
func newClient(t *testing.T, transport *http.Transport) *http.Client {
	t.Helper()
	if transport == nil {
		transport = &http.Transport{}
	}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Transport: transport}
}

// get fetches url with c and returns the response's status and body.
func get(t *testing.T, c *http.Client, url string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
