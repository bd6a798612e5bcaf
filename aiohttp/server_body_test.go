package aiohttp_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
)

func TestServerChunkedUploadAndTrailers(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			t.Errorf("reading body: %v", err)
		}
		if r.ContentLength != -1 || len(r.TransferEncoding) != 1 {
			t.Errorf("ContentLength %d, TransferEncoding %v", r.ContentLength, r.TransferEncoding)
		}
		fmt.Fprintf(w, "%d %s %s", len(b), b[:5], r.Trailer.Get("X-Sum"))
	})
	serve(t, h, func(addr string) {
		c := newClient(t)
		payload := strings.Repeat("abcde", 40000) // 200 KB: many reads, buffer refills
		pr, pw := io.Pipe()
		req, _ := http.NewRequest("POST", "http://"+addr+"/up", pr)
		req.Trailer = http.Header{"X-Sum": nil}
		go func() {
			for i := 0; i < len(payload); i += 7000 {
				pw.Write([]byte(payload[i:min(i+7000, len(payload))]))
			}
			req.Trailer.Set("X-Sum", "42")
			pw.Close()
		}()
		resp, err := c.Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if want := "200000 abcde 42"; string(b) != want {
			t.Errorf("got %q, want %q", b, want)
		}
	})
}

func TestServerChunkedDownloadAndTrailers(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 10000)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Declared")
		w.Write(big)
		w.Header().Set("X-Declared", "d")
		w.Header().Set(http.TrailerPrefix+"X-Late", "l")
	})
	serve(t, h, func(addr string) {
		c := newClient(t)
		resp, body := get(t, c, "http://"+addr+"/")
		if resp == nil {
			return
		}
		if body != string(big) {
			t.Errorf("body of %d bytes, want %d", len(body), len(big))
		}
		if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
			t.Errorf("TransferEncoding %v, want chunked", resp.TransferEncoding)
		}
		if resp.Trailer.Get("X-Declared") != "d" || resp.Trailer.Get("X-Late") != "l" {
			t.Errorf("trailers %v", resp.Trailer)
		}
	})
}

func TestServerHEAD(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "twelve bytes")
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("HEAD / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, body := c.response("HEAD")
		if resp == nil {
			return
		}
		if body != "" || resp.ContentLength != 12 {
			t.Errorf("HEAD: body %q, Content-Length %d", body, resp.ContentLength)
		}
		// The next response starts right after the head: no body was sent.
		if _, body := c.response("GET"); body != "twelve bytes" {
			t.Errorf("GET after HEAD: body %q", body)
		}
	})
}

func TestServerExpectContinue(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/refuse" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	})
	serve(t, h, func(addr string) {
		c := dialRaw(t, addr)
		defer c.Close()
		c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
		if line := c.statusLine(); line != "HTTP/1.1 100 Continue" {
			t.Errorf("got %q before the body, want 100 Continue", line)
		}
		c.statusLine() // the blank line ending the 100 response
		c.send("hello")
		if _, body := c.response("POST"); body != "hello" {
			t.Errorf("body %q", body)
		}
		// A handler that answers without reading: no 100, and the
		// connection closes since the body's fate is unknown.
		c.send("POST /refuse HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
		resp, _ := c.response("POST")
		if resp == nil || resp.StatusCode != 403 || !resp.Close {
			t.Errorf("refusal: %+v", resp)
		}
	})
}

func TestServerInformational(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Link", "</style.css>; rel=preload")
		w.WriteHeader(http.StatusEarlyHints)
		w.Header().Del("Link")
		io.WriteString(w, "final")
	})
	serve(t, h, func(addr string) {
		var got []int
		trace := &httptrace.ClientTrace{Got1xxResponse: func(code int, h textprotoHeader) error {
			if h.Get("Link") == "" {
				t.Error("103 without its Link")
			}
			got = append(got, code)
			return nil
		}}
		req, _ := http.NewRequest("GET", "http://"+addr+"/", nil)
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), trace))
		resp, err := newClient(t).Do(req)
		if err != nil {
			t.Error(err)
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(b) != "final" || len(got) != 1 || got[0] != 103 {
			t.Errorf("body %q, 1xx %v", b, got)
		}
		if resp.Header.Get("Link") != "" {
			t.Error("final response kept the Link deleted after the 103")
		}
	})
}

func TestServerFlushStreams(t *testing.T) {
	next := make(chan struct{})
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for i := range 3 {
			fmt.Fprintf(w, "part%d\n", i)
			if err := http.NewResponseController(w).Flush(); err != nil {
				t.Error(err)
			}
			if i < 2 {
				// The client asks for the next part only once it has
				// read this one: the flush must have sent it.
				if _, _, err := recvCtx(r, next); err != nil {
					t.Error(err)
					return
				}
			}
		}
	})
	serve(t, h, func(addr string) {
		resp, err := newClient(t).Get("http://" + addr + "/")
		if err != nil {
			t.Error(err)
			return
		}
		defer resp.Body.Close()
		if resp.ContentLength != -1 {
			t.Errorf("ContentLength %d for a flushed response", resp.ContentLength)
		}
		buf := make([]byte, 6)
		for i := range 3 {
			if _, err := io.ReadFull(resp.Body, buf); err != nil || string(buf) != fmt.Sprintf("part%d\n", i) {
				t.Errorf("part %d: %q %v", i, buf, err)
				return
			}
			if i < 2 {
				next <- struct{}{}
			}
		}
	})
}
