package aiohttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

func TestServerHijackEcho(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
		rw.Flush()
		for {
			line, err := rw.ReadString('\n')
			if err != nil {
				return
			}
			rw.WriteString(strings.ToUpper(line))
			rw.Flush()
		}
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		// The first line travels with the head: the server has it
		// buffered when the handler hijacks.
		c.send("GET / HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nfirst\n")
		resp, err := http.ReadResponse(c.r, nil)
		if err != nil || resp.StatusCode != 101 {
			t.Errorf("upgrade: %v %v", resp, err)
			return
		}
		for _, line := range []string{"first\n", "second\n"} {
			if line == "second\n" {
				c.send(line)
			}
			got, err := c.r.ReadString('\n')
			if err != nil || got != strings.ToUpper(line) {
				t.Errorf("echo of %q: %q %v", line, got, err)
			}
		}
	})
}

func TestServerPanic(t *testing.T) {
	var reported []error
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/panic":
			panic("boom")
		case "/abort":
			panic(http.ErrAbortHandler)
		case "/late":
			io.WriteString(w, "partial")
			http.NewResponseController(w).Flush()
			panic("late boom")
		}
		io.WriteString(w, "fine")
	})
	loopOpts := []asyncio.Option{asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		reported = append(reported, c.Err)
	})}
	serveWith(t, h, nil, loopOpts, func(addr string) {
		c := newClient(t)
		if resp, _ := get(t, c, "http://"+addr+"/panic"); resp == nil || resp.StatusCode != 500 {
			t.Errorf("panic: %+v", resp)
		}
		if _, err := c.Get("http://" + addr + "/abort"); err == nil {
			t.Error("ErrAbortHandler: got a response")
		}
		if resp, err := c.Get("http://" + addr + "/late"); err == nil {
			if _, err := io.ReadAll(resp.Body); err == nil {
				t.Error("panic after a flush: the body ended cleanly")
			}
			resp.Body.Close()
		}
		if _, body := get(t, c, "http://"+addr+"/"); body != "fine" {
			t.Errorf("after the panics: %q", body)
		}
	})
	if len(reported) != 2 {
		t.Fatalf("reported %v, want the two panics", reported)
	}
	var pe *asyncio.PanicError
	if !errors.As(reported[0], &pe) || pe.Value != "boom" || pe.Task != "GET /panic" {
		t.Errorf("report %#v", reported[0])
	}
}

func TestServerHeaderTimeoutVirtualClock(t *testing.T) {
	clock := asyncio.NewVirtualClock()
	clock.SetAutoJump(false) // only Advance moves time
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.URL.Path) })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h, aiohttp.ReadHeaderTimeout(5*time.Second))
		if err != nil {
			return struct{}{}, err
		}
		got := make(chan string)
		next := make(chan string, 1) // buffered: the loop never blocks on it
		go func() {
			c := dialRaw(t, srv.Addr().String())
			defer c.Close()
			// Each write ends a head and starts the next, which is
			// therefore buffered, partial, when its predecessor is done.
			c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\n")
			_, body := c.response("GET")
			got <- body
			c.send(<-next)
			_, body = c.response("GET")
			got <- body
			got <- c.statusLine()
			c.readAll()
		}()
		expect := func(want string) {
			if b, _, _ := asyncio.Recv(ctx, got); !strings.Contains(b, want) {
				t.Errorf("got %q, want %q", b, want)
			}
		}
		expect("/1")
		// Four seconds into the second head: not too late yet.
		clock.Advance(4 * time.Second)
		next <- "Host: x\r\n\r\nGET /3 HTTP/1.1\r\n"
		expect("/2")
		// The third head began at 4 s; its deadline is 9 s.
		clock.Advance(2 * time.Second)
		clock.Advance(4 * time.Second)
		expect("408 Request Timeout")
		return struct{}{}, srv.Shutdown(ctx)
	}, asyncio.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerShutdown(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/slow" {
			close(started)
			if _, _, err := asyncio.Recv(r.Context(), release); err != nil {
				return
			}
		}
		io.WriteString(w, "done "+r.URL.Path)
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		addr := srv.Addr().String()
		idle := dialRaw(t, addr)
		defer idle.Close()
		busy := dialRaw(t, addr)
		defer busy.Close()
		clientDone := make(chan string, 2)
		go func() {
			idle.send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
			_, body := idle.response("GET")
			clientDone <- body
			busy.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, body := busy.response("GET")
			if resp != nil && !resp.Close {
				t.Error("the response in flight at shutdown kept the connection")
			}
			clientDone <- body
		}()
		if b, _, _ := asyncio.Recv(ctx, clientDone); b != "done /fast" {
			t.Errorf("fast: %q", b)
		}
		if _, _, err := asyncio.Recv(ctx, started); err != nil {
			return struct{}{}, err
		}
		shut := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, srv.Shutdown(ctx)
		})
		// The idle connection is closed at once; the busy one waits.
		idleClosed := make(chan string)
		go func() { idleClosed <- idle.readAll() }()
		if rest, _, _ := asyncio.Recv(ctx, idleClosed); rest != "" {
			t.Errorf("idle connection got %q", rest)
		}
		if shut.Done() {
			t.Error("Shutdown returned with a request in flight")
		}
		if _, err := net.Dial("tcp", addr); err == nil {
			t.Error("still accepting after Shutdown")
		}
		close(release)
		if _, err := shut.Wait(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if b, _, _ := asyncio.Recv(ctx, clientDone); b != "done /slow" {
			t.Errorf("slow: %q", b)
		}
		return struct{}{}, srv.Wait(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerShutdownExpiry(t *testing.T) {
	var handlerErr error
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		handlerErr = asyncio.Sleep(r.Context(), time.Hour)
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		c := dialRaw(t, srv.Addr().String())
		defer c.Close()
		got := make(chan string)
		go func() {
			c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			got <- c.readAll()
		}()
		if _, _, err := asyncio.Recv(ctx, started); err != nil {
			return struct{}{}, err
		}
		err = asyncio.Timeout(ctx, 50*time.Millisecond, srv.Shutdown)
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("Shutdown past its deadline: %v", err)
		}
		if handlerErr == nil {
			t.Error("the handler's task was not cancelled")
		}
		if rest, _, _ := asyncio.Recv(ctx, got); rest != "" {
			t.Errorf("aborted connection got %q", rest)
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerClose(t *testing.T) {
	started := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(started)
		asyncio.Sleep(r.Context(), time.Hour)
	})
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		c := dialRaw(t, srv.Addr().String())
		defer c.Close()
		go c.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		if _, _, err := asyncio.Recv(ctx, started); err != nil {
			return struct{}{}, err
		}
		srv.Close()
		if err := srv.Wait(ctx); err != nil {
			t.Error(err)
		}
		for _, task := range asyncio.AllTasks(ctx) {
			if task != asyncio.CurrentTask(ctx) {
				t.Errorf("task %v outlived Close", task)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerThreaded(t *testing.T) {
	h := aiohttp.Threaded(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if asyncio.InTask(r.Context()) {
			t.Error("Threaded handler runs in the task")
		}
		time.Sleep(time.Millisecond) // blocking is what Threaded is for
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Error(err)
		}
		w.Header().Set("X-Len", fmt.Sprint(len(b)))
		w.Write(b[:10])
		http.NewResponseController(w).Flush()
		w.Write(b[10:])
	}))
	serve(t, h, func(addr string) {
		body := strings.Repeat("x", 100000)
		resp, err := newClient(t).Post("http://"+addr+"/", "text/plain", strings.NewReader(body))
		if err != nil {
			t.Error(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != body || resp.Header.Get("X-Len") != "100000" {
			t.Errorf("echo of %d bytes: %d bytes, X-Len %q", len(body), len(b), resp.Header.Get("X-Len"))
		}
	})
}

func TestServerUnixSocket(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.sock")
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "over unix") })
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "unix:"+path, h)
		if err != nil {
			return struct{}{}, err
		}
		got := make(chan string)
		go func() {
			tr := &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
				return (&net.Dialer{}).DialContext(ctx, "unix", path)
			}}
			defer tr.CloseIdleConnections()
			_, body := get(t, &http.Client{Transport: tr}, "http://unix/")
			got <- body
		}()
		if b, _, _ := asyncio.Recv(ctx, got); b != "over unix" {
			t.Errorf("body %q", b)
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestServerTLS(t *testing.T) {
	cert, pool := selfSigned(t)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.TLS == nil || r.TLS.NegotiatedProtocol != "http/1.1" {
			t.Errorf("r.TLS %+v", r.TLS)
		}
		io.WriteString(w, "secret")
	})
	opts := []aiohttp.ServerOption{aiohttp.TLS(&tls.Config{Certificates: []tls.Certificate{cert}})}
	serveWith(t, h, opts, nil, func(addr string) {
		tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, NextProtos: []string{"http/1.1"}}}
		defer tr.CloseIdleConnections()
		c := &http.Client{Transport: tr}
		for range 2 {
			resp, body := get(t, c, "https://"+addr+"/")
			if resp == nil {
				return
			}
			if body != "secret" || resp.TLS == nil {
				t.Errorf("body %q, TLS %v", body, resp.TLS != nil)
			}
		}
	})
}

// selfSigned makes a certificate for 127.0.0.1 and a pool that trusts it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

func TestServerMuxPatterns(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "item %s", r.PathValue("id"))
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusCreated)
	})
	serve(t, mux, func(addr string) {
		c := newClient(t)
		if _, body := get(t, c, "http://"+addr+"/items/42"); body != "item 42" {
			t.Errorf("GET /items/42: %q", body)
		}
		resp, err := c.Post("http://"+addr+"/items", "", nil)
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Errorf("POST /items: %v %v", resp, err)
		} else {
			resp.Body.Close()
		}
		if resp, _ := get(t, c, "http://"+addr+"/items"); resp == nil || resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("GET /items: %v", resp)
		}
	})
}

func TestServerContextValues(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Value(http.ServerContextKey).(*http.Server); !ok {
			t.Error("no *http.Server under http.ServerContextKey")
		}
		if a, ok := r.Context().Value(http.LocalAddrContextKey).(net.Addr); !ok || !strings.HasPrefix(a.String(), "127.0.0.1:") {
			t.Errorf("local address %v", a)
		}
		if task := asyncio.CurrentTask(r.Context()); task == nil || task.Name() != "GET /ctx" {
			t.Errorf("task %v, want GET /ctx", task)
		}
	})
	serve(t, h, func(addr string) { get(t, newClient(t), "http://"+addr+"/ctx?q=1") })
}
