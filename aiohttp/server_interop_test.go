package aiohttp_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httputil"
	"strconv"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// The interop tests serve with aiohttp's server on a real loop and talk to
// it with real clients: curl, Python's http.client and aiohttp, Node's
// http module and net/http's client, each in a process (or goroutine) of
// its own, run from the loop's executor so that the loop keeps serving.

// interopMux is what the interop tests serve: echoDigest at /, and the
// routes the tests of particular features need.
func interopMux(count *connCounter) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("/", echoDigest(count))
	mux.HandleFunc("POST /json", func(w http.ResponseWriter, r *http.Request) {
		count.see(r)
		var in struct {
			Name string `json:"name"`
			N    int    `json:"n"`
		}
		if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"hello": in.Name, "double": 2 * in.N, "ct": r.Header.Get("Content-Type")})
	})
	// /stream sends its body in pieces, flushing each, and a trailer
	// with the count of bytes sent.
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		count.see(r)
		w.Header().Set("Trailer", "X-Sent")
		w.Header().Set("Content-Type", "text/plain")
		sent := 0
		for i := range 5 {
			n, _ := fmt.Fprintf(w, "piece %d;", i)
			sent += n
			http.NewResponseController(w).Flush()
		}
		w.Header().Set("X-Sent", strconv.Itoa(sent))
	})
	return mux
}

// randomBytes returns n random bytes.
func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func TestInteropCurlHTTP10(t *testing.T) {
	peer.Need(t, "curl")
	var count connCounter
	serveChecked(t, interopMux(&count), nil, false, func(s served) {
		res, err := peer.Curl(t, "--http1.0", "-v", s.url+"/old", s.url+"/older")
		if err != nil {
			t.Error(err)
			return
		}
		for i, path := range []string{"/old", "/older"} {
			tr := res.Transfers[i]
			if tr.Proto != "HTTP/1.0" || tr.Status != 200 || string(tr.Body) != digestLine("GET", path, nil) {
				t.Errorf("transfer %d: %v, want an HTTP/1.0 200 with the digest", i, tr)
			}
			if got := tr.Header.Get("X-Proto"); got != "HTTP/1.0" {
				t.Errorf("transfer %d: the handler saw %q", i, got)
			}
		}
		// HTTP/1.0 without keep-alive: a connection per request, each
		// closed by the server after its response.
		if res.Transfers[1].Connects != 1 {
			t.Errorf("the second transfer reused a connection: %v", res.Transfers[1])
		}
	})
	if n := count.conns(); n != 2 {
		t.Errorf("the server saw %d connections, want 2", n)
	}
}

func TestInteropCurlKeepAlive(t *testing.T) {
	peer.Need(t, "curl")
	var count connCounter
	serveChecked(t, interopMux(&count), nil, false, func(s served) {
		res, err := peer.Curl(t, s.url+"/a", s.url+"/b")
		if err != nil {
			t.Error(err)
			return
		}
		for i, want := range []struct {
			path     string
			connects int
		}{{"/a", 1}, {"/b", 0}} {
			tr := res.Transfers[i]
			if tr.Status != 200 || tr.Proto != "HTTP/1.1" || string(tr.Body) != digestLine("GET", want.path, nil) || tr.Connects != want.connects {
				t.Errorf("transfer %d: %v, want HTTP/1.1 200, the digest, %d new connection(s)", i, tr, want.connects)
			}
		}
	})
	if n := count.conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 kept alive", n)
	}
}

func TestInteropCurlChunkedUpload(t *testing.T) {
	peer.Need(t, "curl")
	payload := randomBytes(300 << 10) // more than the server buffers
	serveChecked(t, interopMux(nil), nil, false, func(s served) {
		res, err := peer.CurlStdin(t, bytes.NewReader(payload),
			"-H", "Transfer-Encoding: chunked", "--data-binary", "@-", s.url+"/upload")
		if err != nil {
			t.Error(err)
			return
		}
		tr := res.Transfers[0]
		if tr.Status != 200 || string(tr.Body) != digestLine("POST", "/upload", payload) {
			t.Errorf("got %v, want the payload's digest", tr)
		}
		if got := tr.Header.Get("X-Transfer-Encoding"); got != "chunked" {
			t.Errorf("the handler saw Transfer-Encoding %q", got)
		}
	})
}

func TestInteropCurlExpectContinue(t *testing.T) {
	peer.Need(t, "curl")
	payload := randomBytes(10 << 10)
	serveChecked(t, interopMux(nil), nil, false, func(s served) {
		// The long --expect100-timeout keeps curl from sending the body
		// unasked: without a 100 Continue the test would time out.
		res, err := peer.CurlStdin(t, bytes.NewReader(payload), "-v", "--http1.1",
			"-H", "Expect: 100-continue", "--expect100-timeout", "60",
			"-H", "Content-Length: "+strconv.Itoa(len(payload)),
			"--data-binary", "@-", s.url+"/upload")
		if err != nil {
			t.Error(err)
			return
		}
		if !strings.Contains(string(res.Stderr), "< HTTP/1.1 100 Continue") {
			t.Errorf("curl's trace shows no 100 Continue:\n%s", res.Stderr)
		}
		if tr := res.Transfers[0]; tr.Status != 200 || string(tr.Body) != digestLine("POST", "/upload", payload) {
			t.Errorf("got %v, want 200 and the digest", tr)
		}
	})
}

func TestInteropCurlHEAD(t *testing.T) {
	peer.Need(t, "curl")
	serveChecked(t, interopMux(nil), nil, false, func(s served) {
		res, err := peer.Curl(t, "-I", s.url+"/page", s.url+"/page")
		if err != nil {
			t.Error(err)
			return
		}
		// The server sizes the body the handler wrote and drops it.
		want := strconv.Itoa(len(digestLine("HEAD", "/page", nil)))
		for i, tr := range res.Transfers {
			if tr.Status != 200 || tr.Header.Get("Content-Length") != want {
				t.Errorf("HEAD %d: %v, Content-Length %q, want 200 and %s", i, tr, tr.Header.Get("Content-Length"), want)
			}
			// With -I, curl prints the head where the body would be.
			if bytes.Contains(tr.Body, []byte("HEAD /page")) {
				t.Errorf("HEAD %d: the response carried a body: %q", i, tr.Body)
			}
		}
		// Had a body followed the first head, curl could not have
		// reused the connection.
		if tr := res.Transfers[1]; tr.Connects != 0 {
			t.Errorf("the second HEAD did not reuse the connection: %v", tr)
		}
	})
}

func TestInteropCurlStreamedTrailers(t *testing.T) {
	peer.Need(t, "curl")
	serveChecked(t, interopMux(&connCounter{}), nil, false, func(s served) {
		// --raw hands over the chunked encoding untouched, trailers
		// included.
		res, err := peer.Curl(t, "--raw", s.url+"/stream")
		if err != nil {
			t.Error(err)
			return
		}
		tr := res.Transfers[0]
		if tr.Status != 200 || tr.Header.Get("Transfer-Encoding") != "chunked" || tr.Header.Get("Trailer") != "X-Sent" {
			t.Fatalf("got %v with header %v, want 200, chunked, Trailer: X-Sent", tr, tr.Header)
		}
		data, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(tr.Body)))
		want := "piece 0;piece 1;piece 2;piece 3;piece 4;"
		if err != nil || string(data) != want {
			t.Errorf("the chunked body decodes to %q, %v; want %q", data, err, want)
		}
		// Each flush is a chunk of its own: five of data, the last one,
		// then the trailer and the end.
		if n := bytes.Count(tr.Body, []byte("\r\n8\r\n")) + 1; n < 5 || !bytes.HasPrefix(tr.Body, []byte("8\r\n")) {
			t.Errorf("%d chunks of a piece each, want 5: %q", n, tr.Body)
		}
		if tail := fmt.Sprintf("\r\n0\r\nX-Sent: %d\r\n\r\n", len(want)); !bytes.HasSuffix(tr.Body, []byte(tail)) {
			t.Errorf("the body ends %q, want the last chunk and the trailer %q", tr.Body[max(0, len(tr.Body)-40):], tail)
		}
	})
}

func TestInteropCurlTLS(t *testing.T) {
	peer.Need(t, "curl")
	certs := peer.NewCerts(t)
	var count connCounter
	opts := []aiohttp.ServerOption{aiohttp.TLS(certs.Server)}
	serveChecked(t, interopMux(&count), opts, true, func(s served) {
		payload := randomBytes(100 << 10)
		// --data-binary applies to both URLs: two POSTs of the payload.
		res, err := peer.CurlStdin(t, bytes.NewReader(payload), "--cacert", certs.CAFile,
			"--data-binary", "@-", s.url+"/a", s.url+"/b")
		if err != nil {
			t.Error(err)
			return
		}
		for i, path := range []string{"/a", "/b"} {
			tr := res.Transfers[i]
			if tr.Status != 200 || tr.Header.Get("X-TLS") != "true" || string(tr.Body) != digestLine("POST", path, payload) || tr.Connects != 1-i {
				t.Errorf("POST %d: %v, want 200 over TLS, the digest, one connection for both", i, tr)
			}
		}
	})
	if n := count.conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1", n)
	}
}

// pythonHTTPClient runs requests over one http.client connection: GETs,
// a POST with a body of known length and a chunked one.
const pythonHTTPClient = `
import hashlib, http.client, ssl, sys, urllib.parse

u = urllib.parse.urlsplit(sys.argv[1])
if u.scheme == "https":
    ctx = ssl.create_default_context(cafile=sys.argv[2])
    conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=20)
else:
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=20)

def pieces():
    for i in range(50):
        yield bytes([i]) * 1000

def check(method, path, body, want_body, **kw):
    conn.request(method, path, body=body, **kw)
    resp = conn.getresponse()
    got = resp.read().decode()
    n = len(want_body)
    want = "%s %s %d %s" % (method, path, n, hashlib.sha256(want_body).hexdigest())
    print(resp.status, resp.getheader("X-Transfer-Encoding"), resp.getheader("X-TLS"), got == want)

for i in range(3):
    check("GET", "/get%d" % i, None, b"")
check("POST", "/fixed", b"x" * 70000, b"x" * 70000)
check("POST", "/chunked", pieces(), b"".join(pieces()), encode_chunked=True)
conn.close()
`

func testInteropPythonHTTPClient(t *testing.T, tls bool) {
	peer.Need(t, "python")
	var count connCounter
	opts, args := peerTLS(t, tls)
	serveChecked(t, interopMux(&count), opts, tls, func(s served) {
		out, err := peer.Python(t, pythonHTTPClient, append([]string{s.url}, args...)...)
		if err != nil {
			t.Error(err)
			return
		}
		tlsSeen := boolString(tls)
		want := strings.Repeat("200  "+tlsSeen+" True\n", 4) + "200 chunked " + tlsSeen + " True\n"
		if string(out) != want {
			t.Errorf("the script printed\n%s\nwant\n%s", out, want)
		}
	})
	if n := count.conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 kept alive for the 5 requests", n)
	}
}

func TestInteropPythonHTTPClient(t *testing.T)    { testInteropPythonHTTPClient(t, false) }
func TestInteropPythonHTTPClientTLS(t *testing.T) { testInteropPythonHTTPClient(t, true) }

// pythonAiohttpClient makes concurrent GETs and a JSON POST with one
// aiohttp.ClientSession.
const pythonAiohttpClient = `
import asyncio, hashlib, ssl, sys
import aiohttp

async def main(url, cafile):
    ctx = ssl.create_default_context(cafile=cafile) if cafile else None
    conn = aiohttp.TCPConnector(ssl=ctx if ctx else False, limit=10)
    async with aiohttp.ClientSession(connector=conn) as session:
        async def get(i):
            async with session.get("%s/c%d" % (url, i)) as resp:
                want = "GET /c%d 0 %s" % (i, hashlib.sha256(b"").hexdigest())
                return resp.status == 200 and await resp.text() == want
        oks = await asyncio.gather(*(get(i) for i in range(40)))
        print("gets", sum(oks))
        async with session.post(url + "/json", json={"name": "py", "n": 21}) as resp:
            body = await resp.json()
            print(resp.status, resp.content_type, body["hello"], body["double"], body["ct"])

asyncio.run(main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else None))
`

func testInteropPythonAiohttpClient(t *testing.T, tls bool) {
	peer.Need(t, "aiohttp")
	var count connCounter
	opts, args := peerTLS(t, tls)
	serveChecked(t, interopMux(&count), opts, tls, func(s served) {
		out, err := peer.PythonAiohttp(t, pythonAiohttpClient, append([]string{s.url}, args...)...)
		if err != nil {
			t.Error(err)
			return
		}
		if want := "gets 40\n200 application/json py 42 application/json\n"; string(out) != want {
			t.Errorf("the script printed\n%s\nwant\n%s", out, want)
		}
	})
	// The 40 GETs were concurrent, on up to 10 connections: more than
	// one shows that they were.
	if n := count.conns(); n < 2 || n > 10 {
		t.Errorf("the server saw %d connections, want 2 to 10 for 40 concurrent requests", n)
	}
}

func TestInteropPythonAiohttpClient(t *testing.T)    { testInteropPythonAiohttpClient(t, false) }
func TestInteropPythonAiohttpClientTLS(t *testing.T) { testInteropPythonAiohttpClient(t, true) }

// nodeClient makes requests one after another through a keep-alive agent
// with one socket, GETs and POSTs, over http or https.
const nodeClient = `
import http from "node:http";
import https from "node:https";
import fs from "node:fs";
import crypto from "node:crypto";

const url = process.argv[2];
const tls = url.startsWith("https:");
const mod = tls ? https : http;
const agent = new mod.Agent({ keepAlive: true, maxSockets: 1, ...(tls ? { ca: fs.readFileSync(process.argv[3]) } : {}) });

function request(method, path, body) {
  return new Promise((resolve, reject) => {
    const req = mod.request(url + path, { method, agent }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        const b = body ?? Buffer.alloc(0);
        const want = method + " " + path + " " + b.length + " " + crypto.createHash("sha256").update(b).digest("hex");
        resolve(res.statusCode + " " + res.headers["x-tls"] + " " + (text === want));
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

for (let i = 0; i < 3; i++) console.log(await request("GET", "/n" + i));
console.log(await request("POST", "/p", Buffer.alloc(100000, 7)));
agent.destroy();
`

func testInteropNodeClient(t *testing.T, tls bool) {
	peer.Need(t, "node")
	var count connCounter
	opts, args := peerTLS(t, tls)
	serveChecked(t, interopMux(&count), opts, tls, func(s served) {
		out, err := peer.Node(t, nodeClient, append([]string{s.url}, args...)...)
		if err != nil {
			t.Error(err)
			return
		}
		if want := strings.Repeat("200 "+boolString(tls)+" true\n", 4); string(out) != want {
			t.Errorf("the script printed\n%s\nwant\n%s", out, want)
		}
	})
	if n := count.conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 kept alive by the agent", n)
	}
}

func TestInteropNodeClient(t *testing.T)    { testInteropNodeClient(t, false) }
func TestInteropNodeClientTLS(t *testing.T) { testInteropNodeClient(t, true) }

func testInteropNetHTTPClient(t *testing.T, tls bool) {
	var count connCounter
	var opts []aiohttp.ServerOption
	tr := &http.Transport{}
	if tls {
		certs := peer.NewCerts(t)
		opts = append(opts, aiohttp.TLS(certs.Server))
		tr.TLSClientConfig = certs.Client()
	}
	payload := randomBytes(200 << 10)
	serveChecked(t, interopMux(&count), opts, tls, func(s served) {
		c, closeIdle := goClient(tr)
		defer closeIdle()
		// A plain goroutine of the test's own, as a program using
		// net/http would have, not the executor's.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for i := range 3 {
				path := fmt.Sprintf("/g%d", i)
				resp, body := get(t, c, s.url+path)
				if resp == nil {
					return
				}
				if body != digestLine("GET", path, nil) || resp.Header.Get("X-TLS") != boolString(tls) {
					t.Errorf("GET %s: %q, TLS %s", path, body, resp.Header.Get("X-TLS"))
				}
			}
			// A body of unknown length goes chunked.
			resp, err := c.Post(s.url+"/up", "application/octet-stream", io.MultiReader(bytes.NewReader(payload)))
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != digestLine("POST", "/up", payload) || resp.Header.Get("X-Transfer-Encoding") != "chunked" {
				t.Errorf("POST: %q, Transfer-Encoding %q", body, resp.Header.Get("X-Transfer-Encoding"))
			}
		}()
		<-done
	})
	if n := count.conns(); n != 1 {
		t.Errorf("the server saw %d connections, want 1 kept alive", n)
	}
}

func TestInteropNetHTTPClient(t *testing.T)    { testInteropNetHTTPClient(t, false) }
func TestInteropNetHTTPClientTLS(t *testing.T) { testInteropNetHTTPClient(t, true) }

// peerTLS returns, for a test over TLS, the server's option with a fresh
// certificate and the peer script's argument naming the CA file that
// trusts it; nothing for a test in the clear.
func peerTLS(t *testing.T, tls bool) (opts []aiohttp.ServerOption, args []string) {
	if !tls {
		return nil, nil
	}
	certs := peer.NewCerts(t)
	return []aiohttp.ServerOption{aiohttp.TLS(certs.Server)}, []string{certs.CAFile}
}
