package aiohttp_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// responseHandlers are handlers whose responses must be framed as net/http
// frames them.
var responseHandlers = map[string]http.HandlerFunc{
	"empty": func(w http.ResponseWriter, r *http.Request) {},
	"small": func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") },
	"html":  func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "<!DOCTYPE html><p>x") },
	"typed": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "x/y")
		io.WriteString(w, "{}")
	},
	"status":  func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotFound) },
	"created": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(201); io.WriteString(w, "made") },
	"large": func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("0123456789", 2000))
	},
	"flushed": func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "a")
		w.(http.Flusher).Flush()
		io.WriteString(w, "b")
	},
	"declared": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "4")
		w.(http.Flusher).Flush()
		io.WriteString(w, "abcd")
	},
	"notmodified": func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNotModified) },
	"close": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Connection", "close")
		io.WriteString(w, "bye")
	},
	"trailer": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-T")
		io.WriteString(w, "body")
		w.Header().Set("X-T", "v")
	},
	"prefixtrailer": func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "body")
		w.Header().Set(http.TrailerPrefix+"X-P", "p")
	},
	"flushempty": func(w http.ResponseWriter, r *http.Request) { w.(http.Flusher).Flush() },
	"largetyped": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(202)
		w.Write(make([]byte, 10000))
		io.WriteString(w, "tail")
	},
	"te": func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Transfer-Encoding", "chunked")
		io.WriteString(w, "self-chunked")
	},
	"nosniff": func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Content-Type"] = nil
		io.WriteString(w, "<html>")
	},
}

// framing is what a client sees of a response, Date aside.
type framing struct {
	Status           int
	Header, Trailer  http.Header
	ContentLength    int64
	TransferEncoding []string
	Close            bool
	BodyLen          int
	BodyStart        string
}

func fetchFraming(t *testing.T, c *http.Client, url, method string) framing {
	req, _ := http.NewRequest(method, url, nil)
	resp, err := c.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, url, err)
		return framing{}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	resp.Header.Del("Date")
	return framing{resp.StatusCode, resp.Header, resp.Trailer, resp.ContentLength, resp.TransferEncoding, resp.Close, len(b), string(b[:min(len(b), 20)])}
}

func TestServerResponsesLikeNetHTTP(t *testing.T) {
	mux := http.NewServeMux()
	for name, h := range responseHandlers {
		mux.Handle("/"+name, h)
	}
	ref := httptest.NewServer(mux)
	defer ref.Close()
	want := map[string]framing{}
	refClient := newClient(t)
	for name := range responseHandlers {
		for _, method := range []string{"GET", "HEAD"} {
			want[method+name] = fetchFraming(t, refClient, ref.URL+"/"+name, method)
		}
	}
	serve(t, mux, func(addr string) {
		c := newClient(t)
		for name := range responseHandlers {
			for _, method := range []string{"GET", "HEAD"} {
				got := fetchFraming(t, c, fmt.Sprintf("http://%s/%s", addr, name), method)
				if w := want[method+name]; !reflect.DeepEqual(got, w) {
					t.Errorf("%s /%s:\n got %+v\nwant %+v", method, name, got, w)
				}
			}
		}
	})
}
