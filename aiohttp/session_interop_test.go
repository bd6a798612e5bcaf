package aiohttp_test

import (
	"bufio"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp"
	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// interopServer is the Python aiohttp application the Session talks to.
// Its arguments: the keep-alive timeout in seconds ("-" for aiohttp's
// default), then, for HTTPS, the certificate and key files.
const interopServer = `
import asyncio, hashlib, ssl, sys
from aiohttp import web

args = sys.argv[1:]
if args and args[0] != "-":
    runner_options = {"keepalive_timeout": float(args[0])}
if len(args) >= 3:
    ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ssl_context.load_cert_chain(args[1], args[2])

routes = web.RouteTableDef()

@routes.get("/hello")
async def hello(request):
    return web.Response(text="hello %s %s %s" % (request.method, request.path_qs, request.scheme))

@routes.post("/json")
async def echo_json(request):
    return web.json_response({"got": await request.json(), "type": request.content_type})

@routes.get("/stream")
async def stream(request):
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    for i in range(5):
        await resp.write(b"part %d\n" % i)
        await asyncio.sleep(0.005)
    await resp.write_eof()
    return resp

@routes.get("/peer")
async def peer(request):
    return web.Response(text=str(request.transport.get_extra_info("peername")[1]))

@routes.get("/wait_closed")
async def wait_closed(request):
    # Answers once the server no longer has a connection from the port.
    port = int(request.query["port"])
    server = request.protocol._manager
    for _ in range(2000):
        if not any(h.transport is not None and h.transport.get_extra_info("peername")[1] == port
                   for h in server.connections):
            return web.Response(text="closed")
        await asyncio.sleep(0.005)
    return web.Response(status=504, text="still open")

@routes.get("/redirect/{n}")
async def redirect(request):
    n = int(request.match_info["n"])
    if n > 0:
        raise web.HTTPFound("/redirect/%d" % (n - 1))
    return web.Response(text="landed")

@routes.get("/setcookie")
async def set_cookie(request):
    resp = web.Response(text="set")
    resp.set_cookie("flavour", "oatmeal", path="/")
    return resp

@routes.get("/cookie")
async def cookie(request):
    return web.Response(text=request.cookies.get("flavour", "none"))

@routes.get("/compressed")
async def compressed(request):
    resp = web.Response(text="squeeze me " * 2000)
    coding = request.query.get("coding")
    resp.enable_compression(web.ContentCoding[coding] if coding else None)
    return resp

@routes.post("/upload")
async def upload(request):
    h, n = hashlib.sha256(), 0
    async for chunk in request.content.iter_chunked(1 << 16):
        h.update(chunk)
        n += len(chunk)
    return web.Response(text="%d %s %s" % (n, h.hexdigest(), request.headers.get("Transfer-Encoding", "length")))
`

// runPeer runs body in a task of a new loop, with a session made with
// opts and without the default total timeout (the peer is real, the
// clock too), closed at the end.
func runPeer(t *testing.T, body func(ctx context.Context, s *aiohttp.Session) error, opts ...aiohttp.SessionOption) {
	t.Helper()
	run(t, body, append([]aiohttp.SessionOption{noTimeout}, opts...)...)
}

// text makes a GET request and returns the body as text, failing on a
// status other than 200.
func text(ctx context.Context, s *aiohttp.Session, url string, opts ...aiohttp.RequestOption) (string, error) {
	resp, err := s.Get(ctx, url, opts...)
	if err != nil {
		return "", err
	}
	got, err := resp.Text(ctx)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s: %s", url, resp.Status, got)
	}
	return got, err
}

// TestSessionInteropPythonAiohttp: the session against Python's aiohttp
// web server.
func TestSessionInteropPythonAiohttp(t *testing.T) {
	base := "http://" + peer.PythonAiohttpServer(t, interopServer)

	t.Run("Get", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			got, err := text(ctx, s, base+"/hello?x=1")
			if err != nil {
				return err
			}
			if got != "hello GET /hello?x=1 http" {
				t.Errorf("got %q", got)
			}
			return nil
		})
	})

	t.Run("JSONPost", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			resp, err := s.Post(ctx, base+"/json", aiohttp.JSONBody(map[string]any{"name": "café", "n": []int{1, 2}}))
			if err != nil {
				return err
			}
			var got struct {
				Got  map[string]any `json:"got"`
				Type string         `json:"type"`
			}
			if err := resp.JSON(ctx, &got); err != nil {
				return err
			}
			if got.Type != "application/json" || got.Got["name"] != "café" || fmt.Sprint(got.Got["n"]) != "[1 2]" {
				t.Errorf("got %+v", got)
			}
			return nil
		})
	})

	t.Run("ChunkedStream", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			resp, err := s.Get(ctx, base+"/stream")
			if err != nil {
				return err
			}
			if resp.ContentLength != -1 || resp.Header.Get("Content-Length") != "" {
				t.Errorf("a streamed response with length %d, %q", resp.ContentLength, resp.Header.Get("Content-Length"))
			}
			var got bytes.Buffer
			for chunk, err := range resp.Chunks(ctx) {
				if err != nil {
					return err
				}
				got.Write(chunk)
			}
			if want := "part 0\npart 1\npart 2\npart 3\npart 4\n"; got.String() != want {
				t.Errorf("got %q, want %q", got.String(), want)
			}
			return nil
		})
	})

	t.Run("KeepAlive", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			var ports []string
			for range 5 {
				port, err := text(ctx, s, base+"/peer")
				if err != nil {
					return err
				}
				ports = append(ports, port)
			}
			for _, p := range ports[1:] {
				if p != ports[0] {
					t.Errorf("requests came from ports %v, want one kept-alive connection", ports)
					break
				}
			}
			return nil
		})
	})

	t.Run("RedirectChain", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			resp, err := s.Get(ctx, base+"/redirect/4")
			if err != nil {
				return err
			}
			got, err := resp.Text(ctx)
			if err != nil {
				return err
			}
			if got != "landed" || resp.URL.Path != "/redirect/0" {
				t.Errorf("got %q at %v", got, resp.URL)
			}
			_, err = s.Get(ctx, base+"/redirect/4", aiohttp.MaxRedirects(3))
			if te := (*aiohttp.TooManyRedirectsError)(nil); !errors.As(err, &te) {
				t.Errorf("with MaxRedirects(3): err = %v, want TooManyRedirectsError", err)
			}
			return nil
		})
	})

	t.Run("Cookies", func(t *testing.T) {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			before, err := text(ctx, s, base+"/cookie")
			if err != nil {
				return err
			}
			if _, err := text(ctx, s, base+"/setcookie"); err != nil {
				return err
			}
			after, err := text(ctx, s, base+"/cookie")
			if err != nil {
				return err
			}
			if before != "none" || after != "oatmeal" {
				t.Errorf("cookie before and after it was set: %q, %q", before, after)
			}
			return nil
		})
	})

	t.Run("Compression", func(t *testing.T) {
		want := strings.Repeat("squeeze me ", 2000)
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			// aiohttp chooses the coding itself (deflate, its first),
			// or is made to use one.
			for _, coding := range []string{"", "gzip", "deflate"} {
				got, err := text(ctx, s, base+"/compressed?coding="+coding)
				if err != nil {
					return fmt.Errorf("coding %q: %w", coding, err)
				}
				if got != want {
					t.Errorf("coding %q: got %d bytes %.40q..., want the %d bytes sent", coding, len(got), got, len(want))
				}
			}
			// Asked for by the caller, the coding is left alone.
			for _, coding := range []string{"gzip", "deflate"} {
				resp, err := s.Get(ctx, base+"/compressed", aiohttp.WithHeader("Accept-Encoding", coding))
				if err != nil {
					return err
				}
				raw, err := resp.Bytes(ctx)
				if err != nil {
					return err
				}
				if enc := resp.Header.Get("Content-Encoding"); enc != coding {
					t.Errorf("Content-Encoding %q, want %q", enc, coding)
					continue
				}
				if got := decode(t, coding, raw); got != want || len(raw) >= len(want) {
					t.Errorf("%s: %d bytes decoded to %d, want %d", coding, len(raw), len(got), len(want))
				}
			}
			return nil
		})
	})

	t.Run("LargeUpload", func(t *testing.T) {
		data := make([]byte, 5<<20+123)
		rand.NewChaCha8([32]byte{1}).Read(data)
		sum := sha256.Sum256(data)
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			for _, tc := range []struct {
				body io.Reader
				te   string
			}{
				// A stream of unknown length goes chunked, read off the
				// loop; a bytes.Reader with its Content-Length.
				{io.MultiReader(bytes.NewReader(data)), "chunked"},
				{bytes.NewReader(data), "length"},
			} {
				resp, err := s.Post(ctx, base+"/upload", aiohttp.Body(tc.body, "application/octet-stream"))
				if err != nil {
					return err
				}
				got, err := resp.Text(ctx)
				if err != nil {
					return err
				}
				if want := fmt.Sprintf("%d %s %s", len(data), hex.EncodeToString(sum[:]), tc.te); got != want {
					t.Errorf("server got %q, want %q", got, want)
				}
			}
			return nil
		})
	})
}

// decode undoes a content coding.
func decode(t *testing.T, coding string, b []byte) string {
	t.Helper()
	var r io.Reader
	var err error
	switch coding {
	case "gzip":
		r, err = gzip.NewReader(bytes.NewReader(b))
	case "deflate":
		// HTTP's deflate is the zlib format (RFC 9110, 8.4.1.2).
		r, err = zlib.NewReader(bytes.NewReader(b))
	default:
		r = flate.NewReader(bytes.NewReader(b))
	}
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", coding, err)
	}
	return string(out)
}

// TestSessionInteropPythonAiohttpKeepAliveClosed: aiohttp's server closes
// a kept-alive connection after its keepalive_timeout; the next request
// goes over a new connection and succeeds.
func TestSessionInteropPythonAiohttpKeepAliveClosed(t *testing.T) {
	base := "http://" + peer.PythonAiohttpServer(t, interopServer, "0.2")
	runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
		// A second session asks the server about the first's
		// connections, without touching its pool.
		observer := aiohttp.NewSession(noTimeout)
		defer observer.Close(ctx)
		var ports []string
		for i := range 3 {
			port, err := text(ctx, s, base+"/peer")
			if err != nil {
				return fmt.Errorf("request %d: %w", i, err)
			}
			ports = append(ports, port)
			if got, err := text(ctx, observer, base+"/wait_closed?port="+port); err != nil || got != "closed" {
				return fmt.Errorf("waiting for the server to close the connection: %q, %v", got, err)
			}
		}
		if ports[0] == ports[1] || ports[1] == ports[2] {
			t.Errorf("requests came from ports %v, want a new connection each time", ports)
		}
		return nil
	})
}

// TestSessionInteropPythonAiohttpTLS: the session over TLS with aiohttp's
// server, trusting the test's CA, keeping the connection alive.
func TestSessionInteropPythonAiohttpTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	addr := peer.PythonAiohttpServer(t, interopServer, "-", certs.CertFile, certs.KeyFile)
	for _, host := range []string{addr, strings.Replace(addr, "127.0.0.1", "localhost", 1)} {
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			got, err := text(ctx, s, "https://"+host+"/hello")
			if err != nil {
				return err
			}
			if got != "hello GET /hello https" {
				t.Errorf("got %q", got)
			}
			p1, err := text(ctx, s, "https://"+host+"/peer")
			if err != nil {
				return err
			}
			p2, err := text(ctx, s, "https://"+host+"/peer")
			if err != nil {
				return err
			}
			if p1 != p2 {
				t.Errorf("requests from ports %s and %s, want one kept-alive connection", p1, p2)
			}
			return nil
		}, aiohttp.TLS(&tls.Config{RootCAs: certs.Pool}))
	}
	// Without the CA, the server is not trusted.
	runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
		if _, err := s.Get(ctx, "https://"+addr+"/hello"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("err = %v, want a certificate error", err)
		}
		return nil
	})
}

// TestSessionInteropNetHTTPTLS: the session against net/http's TLS
// server, which asks for client certificates: the handshake's outcomes,
// with TLS 1.3 and 1.2, and the connection kept alive.
func TestSessionInteropNetHTTPTLS(t *testing.T) {
	certs := peer.NewCerts(t)
	cert, leaf := clientCert(t)
	other, _ := clientCert(t)
	clientCAs := x509.NewCertPool()
	clientCAs.AddCert(leaf)
	for _, version := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		t.Run(tls.VersionName(version), func(t *testing.T) {
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, "%s %s %s", r.TLS.PeerCertificates[0].Subject.CommonName, tls.VersionName(r.TLS.Version), r.TLS.ServerName)
			}))
			srv.TLS = certs.Server.Clone()
			srv.TLS.ClientAuth = tls.RequireAndVerifyClientCert
			srv.TLS.ClientCAs = clientCAs
			srv.TLS.MaxVersion = version
			var mu sync.Mutex
			conns := 0
			srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
				if st == http.StateNew {
					mu.Lock()
					conns++
					mu.Unlock()
				}
			}
			// The failed handshakes below are logged by the server.
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.StartTLS()
			defer srv.Close()
			port := srv.Listener.Addr().(*net.TCPAddr).Port
			want := "test client " + tls.VersionName(version)

			t.Run("ClientCertificateKeptAlive", func(t *testing.T) {
				runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
					for i := range 3 {
						got, err := text(ctx, s, fmt.Sprintf("https://localhost:%d/%d", port, i))
						if err != nil {
							return err
						}
						// The session names the URL's host in SNI.
						if got != want+" localhost" {
							t.Errorf("got %q, want %q", got, want+" localhost")
						}
					}
					return nil
				}, aiohttp.TLS(&tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{cert}}))
				mu.Lock()
				defer mu.Unlock()
				if conns != 1 {
					t.Errorf("server accepted %d connections for 3 requests, want 1", conns)
				}
			})

			// A server that refuses the client's certificate sends an
			// alert ("certificate required" or "bad certificate" in TLS
			// 1.3, "handshake failure" in 1.2) and closes. In TLS 1.3 the
			// client has finished its handshake by then and sent the
			// request: the close may reset the connection before the
			// alert is read, and the request fails as disconnected.
			refused := func(err error) bool {
				return strings.Contains(err.Error(), "remote error: tls:") ||
					version == tls.VersionTLS13 && errors.Is(err, aiohttp.ErrServerDisconnected)
			}
			failures := []struct {
				name  string
				cfg   *tls.Config
				check func(error) bool
			}{
				{"NoClientCertificate", &tls.Config{RootCAs: certs.Pool}, refused},
				{"UnknownClientCertificate", &tls.Config{RootCAs: certs.Pool, Certificates: []tls.Certificate{other}}, refused},
				{"UntrustedServer", &tls.Config{Certificates: []tls.Certificate{cert}},
					func(err error) bool {
						var ce *tls.CertificateVerificationError
						return errors.As(err, &ce)
					}},
				{"WrongServerName", &tls.Config{RootCAs: certs.Pool, ServerName: "elsewhere.example", Certificates: []tls.Certificate{cert}},
					func(err error) bool {
						var he x509.HostnameError
						return errors.As(err, &he)
					}},
			}
			for _, f := range failures {
				t.Run(f.name, func(t *testing.T) {
					runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
						_, err := text(ctx, s, srv.URL)
						if err == nil || !f.check(err) {
							t.Errorf("err = %v", err)
						}
						return nil
					}, aiohttp.TLS(f.cfg))
				})
			}
		})
	}
}

// relay forwards the connections it accepts to a proxy, and records the
// first line of each: the proof that a request went through the proxy,
// and in which form.
type relay struct {
	URL  string
	mu   sync.Mutex
	seen []string
}

// newRelay starts a relay to the proxy at proxyURL, "http://host:port".
// Its goroutines end when their connections close; the listener and every
// connection are closed, and the goroutines waited for, at the end of the
// test.
func newRelay(t *testing.T, proxyURL string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	target := strings.TrimPrefix(proxyURL, "http://")
	r := &relay{URL: "http://" + ln.Addr().String()}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	track := func(c net.Conn) {
		mu.Lock()
		open = append(open, c)
		mu.Unlock()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			track(c)
			p, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			track(p)
			wg.Add(2)
			go func() {
				defer wg.Done()
				defer p.Close()
				br := bufio.NewReader(c)
				line, err := br.ReadString('\n')
				if err != nil {
					return
				}
				r.mu.Lock()
				r.seen = append(r.seen, strings.TrimSpace(line))
				r.mu.Unlock()
				io.WriteString(p, line)
				io.Copy(p, br)
			}()
			go func() {
				defer wg.Done()
				defer c.Close()
				io.Copy(c, p)
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return r
}

func (r *relay) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.seen...)
}

// TestSessionInteropTinyproxy: requests through tinyproxy, an http URL in
// absolute form and an https one through a CONNECT tunnel, the proxy set
// with Proxy or taken from HTTPS_PROXY with TrustEnv. A relay in front of
// tinyproxy records what reached it.
func TestSessionInteropTinyproxy(t *testing.T) {
	proxy := newRelay(t, peer.Tinyproxy(t))
	proxyURL, _ := url.Parse(proxy.URL)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "%s %s tls=%v", r.Method, r.URL.RequestURI(), r.TLS != nil)
	})

	t.Run("HTTP", func(t *testing.T) {
		srv := httptest.NewServer(handler)
		defer srv.Close()
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			got, err := text(ctx, s, srv.URL+"/plain?q=1")
			if err != nil {
				return err
			}
			if got != "GET /plain?q=1 tls=false" {
				t.Errorf("got %q", got)
			}
			return nil
		}, aiohttp.Proxy(http.ProxyURL(proxyURL)))
		if want := "GET " + srv.URL + "/plain?q=1 HTTP/1.1"; !slices.Contains(proxy.lines(), want) {
			t.Errorf("proxy saw %q, want %q", proxy.lines(), want)
		}
	})

	t.Run("HTTPSConnect", func(t *testing.T) {
		srv := httptest.NewTLSServer(handler)
		defer srv.Close()
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			for i := range 2 {
				got, err := text(ctx, s, fmt.Sprintf("%s/secret/%d", srv.URL, i))
				if err != nil {
					return err
				}
				if want := fmt.Sprintf("GET /secret/%d tls=true", i); got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			}
			return nil
		}, aiohttp.Proxy(http.ProxyURL(proxyURL)), aiohttp.TLS(&tls.Config{RootCAs: roots}))
		connect := "CONNECT " + srv.Listener.Addr().String() + " HTTP/1.1"
		n := 0
		for _, l := range proxy.lines() {
			if l == connect {
				n++
			}
		}
		if n != 1 {
			t.Errorf("proxy saw %q, want one %q: the tunnel kept alive", proxy.lines(), connect)
		}
	})

	t.Run("TrustEnvHTTPSProxy", func(t *testing.T) {
		// The environment's proxies are not used for loopback
		// addresses: the server listens on another of this machine's.
		ip := nonLoopbackIPv4(t)
		srv := httptest.NewUnstartedServer(handler)
		srv.Listener.Close()
		ln, err := net.Listen("tcp", net.JoinHostPort(ip.String(), "0"))
		if err != nil {
			t.Fatal(err)
		}
		srv.Listener = ln
		srv.StartTLS()
		defer srv.Close()
		roots := x509.NewCertPool()
		roots.AddCert(srv.Certificate())
		for _, v := range []string{"HTTP_PROXY", "http_proxy", "https_proxy", "NO_PROXY", "no_proxy"} {
			t.Setenv(v, "")
		}
		t.Setenv("HTTPS_PROXY", proxy.URL)
		runPeer(t, func(ctx context.Context, s *aiohttp.Session) error {
			got, err := text(ctx, s, srv.URL+"/env")
			if err != nil {
				return err
			}
			if got != "GET /env tls=true" {
				t.Errorf("got %q", got)
			}
			return nil
		}, aiohttp.TrustEnv(true), aiohttp.TLS(&tls.Config{RootCAs: roots, ServerName: "example.com"}))
		if want := "CONNECT " + ln.Addr().String() + " HTTP/1.1"; !slices.Contains(proxy.lines(), want) {
			t.Errorf("proxy saw %q, want %q", proxy.lines(), want)
		}
	})
}

// nonLoopbackIPv4 returns an IPv4 address of this machine that is not a
// loopback one, or skips the test if there is none.
func nonLoopbackIPv4(t *testing.T) net.IP {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			return n.IP
		}
	}
	t.Skip("no IPv4 address but loopback ones, which the environment's proxies do not serve")
	return nil
}
