package peer_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

func TestPythonHTTPClient(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	out, err := peer.Python(t, `
import http.client, sys, urllib.parse

u = urllib.parse.urlsplit(sys.argv[1])
conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
for method, path, body in (("GET", "/a", None), ("POST", "/b", b"payload")):
    conn.request(method, path, body=body)
    resp = conn.getresponse()
    print(resp.status, resp.getheader("X-Proto"), resp.read().decode())
conn.close()
`, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if want := "200 HTTP/1.1 GET /a \n200 HTTP/1.1 POST /b payload\n"; string(out) != want {
		t.Errorf("the script printed\n%s\nwant\n%s", out, want)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1 kept alive for both requests", n)
	}
}

func TestPythonHTTPClientTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	srv := newStandIn(t, echo, certs.Server)
	// VERIFY_X509_STRICT, the default from Python 3.13 on, holds the
	// certificates to RFC 5280.
	out, err := peer.Python(t, `
import http.client, ssl, sys, urllib.parse

u = urllib.parse.urlsplit(sys.argv[1])
ctx = ssl.create_default_context(cafile=sys.argv[2])
ctx.verify_flags |= ssl.VERIFY_X509_STRICT
conn = http.client.HTTPSConnection(u.hostname, u.port, context=ctx, timeout=10)
conn.request("GET", "/secure")
resp = conn.getresponse()
print(resp.status, resp.read().decode())
`, srv.URL, certs.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "200 GET /secure \n"; string(out) != want {
		t.Errorf("the script printed %q, want %q", out, want)
	}
}

func TestPythonAiohttpClient(t *testing.T) {
	srv := newStandIn(t, echo, nil)
	out, err := peer.PythonAiohttp(t, `
import asyncio, sys
import aiohttp

async def main(url):
    async with aiohttp.ClientSession() as session:
        async with session.get(url + "/a") as resp:
            print(resp.status, await resp.text())
        async with session.post(url + "/b", data=b"payload") as resp:
            print(resp.status, await resp.text())

asyncio.run(main(sys.argv[1]))
`, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if want := "200 GET /a \n200 POST /b payload\n"; string(out) != want {
		t.Errorf("the script printed\n%s\nwant\n%s", out, want)
	}
	if n := srv.conns.Load(); n != 1 {
		t.Errorf("the server accepted %d connections, want 1 kept alive for both requests", n)
	}
}

// echoRoutes is an aiohttp server that answers as echo does.
const echoRoutes = `
from aiohttp import web

routes = web.RouteTableDef()

@routes.route("*", "/{path:.*}")
async def echo(request):
    body = await request.read()
    text = "%s %s %s" % (request.method, request.path, body.decode())
    return web.Response(text=text, headers={"X-Proto": "HTTP/%d.%d" % request.version})
`

func TestPythonAiohttpServer(t *testing.T) {
	addr := peer.PythonAiohttpServer(t, echoRoutes)
	c := newClient(t, nil)
	resp, body := get(t, c, "http://"+addr+"/hello")
	if resp.StatusCode != http.StatusOK || body != "GET /hello " || resp.Header.Get("X-Proto") != "HTTP/1.1" {
		t.Errorf("got %s %q (X-Proto %q), want 200 \"GET /hello \" over HTTP/1.1", resp.Status, body, resp.Header.Get("X-Proto"))
	}
	if server := resp.Header.Get("Server"); !strings.Contains(server, "aiohttp") {
		t.Errorf("Server: %q, want aiohttp's", server)
	}

	resp, err := c.Post("http://"+addr+"/upload", "text/plain", strings.NewReader("payload"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body2, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || string(body2) != "POST /upload payload" {
		t.Errorf("POST: %s %q, want 200 and the body echoed", resp.Status, body2)
	}
}

func TestPythonAiohttpServerSetup(t *testing.T) {
	addr := peer.PythonAiohttpServer(t, `
import sys
from aiohttp import web

async def greet(request):
    return web.Response(text=sys.argv[1])

def setup(app):
    app.router.add_get("/greet", greet)
`, "hello from argv")
	_, body := get(t, newClient(t, nil), "http://"+addr+"/greet")
	if body != "hello from argv" {
		t.Errorf("got %q, want the script's argument", body)
	}
}

func TestPythonAiohttpServerTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	addr := peer.PythonAiohttpServer(t, echoRoutes+`
import ssl, sys

ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ssl_context.load_cert_chain(sys.argv[1], sys.argv[2])
`, certs.CertFile, certs.KeyFile)
	c := newClient(t, &http.Transport{TLSClientConfig: certs.Client()})
	resp, body := get(t, c, "https://"+addr+"/secure")
	if resp.TLS == nil || body != "GET /secure " {
		t.Errorf("got %q over TLS %v, want the echo over TLS", body, resp.TLS != nil)
	}
}

func TestPythonWebsockets(t *testing.T) {
	out, err := peer.PythonWebsockets(t, "import websockets\nprint(websockets.__name__)\n")
	if err != nil || string(out) != "websockets\n" {
		t.Errorf("the script printed %q, %v", out, err)
	}
}
