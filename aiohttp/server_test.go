package aiohttp_test

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestServerHelloKeepAlive(t *testing.T) {
	var remotes []string
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remotes = append(remotes, r.RemoteAddr)
		fmt.Fprintf(w, "hello %s", r.URL.Path)
	})
	serve(t, h, func(addr string) {
		c := newClient(t)
		for i := range 3 {
			resp, body := get(t, c, fmt.Sprintf("http://%s/p%d", addr, i))
			if resp == nil {
				return
			}
			if want := fmt.Sprintf("hello /p%d", i); body != want {
				t.Errorf("body %q, want %q", body, want)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length %d, want %d", resp.ContentLength, len(body))
			}
			if ct := resp.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			if resp.Header.Get("Date") == "" {
				t.Error("no Date")
			}
		}
	})
	if len(remotes) != 3 || remotes[0] != remotes[1] || remotes[1] != remotes[2] {
		t.Errorf("requests came from %v, want one kept-alive connection", remotes)
	}
}

func TestServerPipelining(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s:%s", r.URL.Path, b)
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("GET /1 HTTP/1.1\r\nHost: x\r\n\r\n" +
			"POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc" +
			"POST /3 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n" +
			"GET /4 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		for _, want := range []string{"/1:", "/2:abc", "/3:def", "/4:"} {
			_, body := c.response("GET")
			if body != want {
				t.Errorf("body %q, want %q", body, want)
			}
		}
		if rest := c.readAll(); rest != "" {
			t.Errorf("after Connection: close, got %q", rest)
		}
	})
}

func TestServerHostileHeads(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Errorf("handler ran for %s", r.URL) })
	cases := []struct {
		name, req string
		code      int
	}{
		{"bad syntax", "GET / HTTP/1.1\r\nHost x\r\n\r\n", 400},
		{"CL and TE", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400},
		{"bad CL", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3x\r\n\r\n", 400},
		{"two CLs", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400},
		{"unknown TE", "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"no Host", "GET / HTTP/1.1\r\n\r\n", 400},
		{"bad version", "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"long request line", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414},
		{"long header line", "GET / HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 9000) + "\r\n\r\n", 431},
		{"too many headers", "GET / HTTP/1.1\r\nHost: x\r\n" + strings.Repeat("X: y\r\n", 101) + "\r\n", 431},
		{"bare CR", "GET / HTTP/1.1\r\nHost: x\rY: z\r\n\r\n", 400},
	}
	serve(t, h, func(addr string) {
		for _, tc := range cases {
			c := dialRaw(t, addr)
			c.send(tc.req)
			resp, _ := c.response("GET")
			if resp == nil {
				t.Errorf("%s: no response", tc.name)
			} else if resp.StatusCode != tc.code {
				t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.code)
			} else if !resp.Close {
				t.Errorf("%s: connection not closed", tc.name)
			}
			c.Close()
		}
	})
}
