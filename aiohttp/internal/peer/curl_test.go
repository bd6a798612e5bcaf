package peer_test

import (
	"errors"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

func TestCurlKeepAlive(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	res, err := peer.Curl(t, srv.URL+"/a", srv.URL+"/b")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Transfers) != 2 {
		t.Fatalf("%d transfers, want 2: %v", len(res.Transfers), res.Transfers)
	}
	for i, want := range []struct {
		body     string
		connects int
	}{{"GET /a ", 1}, {"GET /b ", 0}} {
		tr := res.Transfers[i]
		if tr.Status != http.StatusOK || tr.Proto != "HTTP/1.1" || string(tr.Body) != want.body || tr.Connects != want.connects {
			t.Errorf("transfer %d: %v; want HTTP/1.1 200, body %q, %d new connection(s)", i, tr, want.body, want.connects)
		}
		if got := tr.Header.Get("X-Proto"); got != "HTTP/1.1" {
			t.Errorf("transfer %d: X-Proto %q, want the header the server set", i, got)
		}
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1 kept alive for both URLs", n)
	}
}

func TestCurlChunkedUpload(t *testing.T) {
	type framing struct {
		encoding []string
		length   int64
	}
	seen := make(chan framing, 1)
	srv := newStandIn(t, func(w http.ResponseWriter, r *http.Request) {
		seen <- framing{r.TransferEncoding, r.ContentLength}
		echo(w, r)
	}, nil)
	payload := strings.Repeat("0123456789", 1000)
	res, err := peer.CurlStdin(t, strings.NewReader(payload),
		"-H", "Transfer-Encoding: chunked", "--data-binary", "@-", srv.URL+"/upload")
	if err != nil {
		t.Fatal(err)
	}
	if got := string(res.Transfers[0].Body); got != "POST /upload "+payload {
		t.Errorf("the server echoed %.40q..., want the payload POSTed", got)
	}
	if f := <-seen; len(f.encoding) != 1 || f.encoding[0] != "chunked" || f.length != -1 {
		t.Errorf("the request came with Transfer-Encoding %q and length %d, want chunked and none", f.encoding, f.length)
	}
}

func TestCurlExpectContinue(t *testing.T) {
	expect := make(chan string, 1)
	srv := newStandIn(t, func(w http.ResponseWriter, r *http.Request) {
		expect <- r.Header.Get("Expect")
		echo(w, r) // reading the body is what makes net/http send 100 Continue
	}, nil)
	// The long --expect100-timeout keeps curl from sending the body
	// unasked: without a 100 Continue this test would time out, not pass.
	res, err := peer.CurlStdin(t, strings.NewReader("payload"), "-v", "--http1.1",
		"-H", "Expect: 100-continue", "--expect100-timeout", "60",
		"--data-binary", "@-", srv.URL+"/upload")
	if err != nil {
		t.Fatal(err)
	}
	if got := <-expect; got != "100-continue" {
		t.Errorf("the server saw Expect %q", got)
	}
	if !strings.Contains(string(res.Stderr), "< HTTP/1.1 100 Continue") {
		t.Errorf("curl's trace shows no 100 Continue:\n%s", res.Stderr)
	}
	if tr := res.Transfers[0]; tr.Status != http.StatusOK || string(tr.Body) != "POST /upload payload" {
		t.Errorf("got %v, want 200 and the body echoed", tr)
	}
}

func TestCurlHTTP10(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	res, err := peer.Curl(t, "--http1.0", srv.URL+"/old")
	if err != nil {
		t.Fatal(err)
	}
	tr := res.Transfers[0]
	if tr.Proto != "HTTP/1.0" || tr.Status != http.StatusOK || string(tr.Body) != "GET /old " {
		t.Errorf("got %v, want an HTTP/1.0 200 with the body", tr)
	}
	if got := tr.Header.Get("X-Proto"); got != "HTTP/1.0" {
		t.Errorf("the server saw %q, want HTTP/1.0", got)
	}
}

func TestCurlTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	srv := newStandIn(t, echo, certs.Server)
	res, err := peer.Curl(t, "--cacert", certs.CAFile, srv.URL+"/secure")
	if err != nil {
		t.Fatal(err)
	}
	if tr := res.Transfers[0]; tr.Status != http.StatusOK || string(tr.Body) != "GET /secure " {
		t.Errorf("got %v, want 200 and the body", tr)
	}

	// Without the CA, the same request fails: the certificate is what
	// curl checked.
	_, err = peer.Curl(t, srv.URL+"/secure")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 60 {
		t.Errorf("curl without --cacert: %v, want exit status 60 (peer certificate cannot be authenticated)", err)
	}
}

func TestCurlFails(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	srv.Close()
	res, err := peer.Curl(t, srv.URL+"/")
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 7 {
		t.Fatalf("curl to a closed server: %v, want exit status 7 (could not connect)", err)
	}
	if len(res.Transfers) != 1 || res.Transfers[0].Status != 0 || !strings.Contains(err.Error(), "curl: (7)") {
		t.Errorf("got transfers %v and error %q, want one transfer without a response and curl's message", res.Transfers, err)
	}
}
