package http1

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"testing"
)

// TestAppendRequestReadByNetHTTP writes a request head and a chunked body
// and reads them back with http.ReadRequest.
func TestAppendRequestReadByNetHTTP(t *testing.T) {
	b, err := AppendRequestLine(nil, "POST", "/up?x=1")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range [][2]string{{"Host", "a.example"}, {"X-Tab", "a\tb"}, {"Transfer-Encoding", "chunked"}} {
		if b, err = AppendHeaderField(b, h[0], h[1]); err != nil {
			t.Fatal(err)
		}
	}
	b = append(b, "\r\n"...)
	b = AppendChunk(b, []byte("hello "))
	b = AppendChunk(b, nil)
	b = AppendChunk(b, bytes.Repeat([]byte("w"), 300))
	b = AppendLastChunk(b)
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		t.Fatal(err)
	}
	if req.Method != "POST" || req.RequestURI != "/up?x=1" || req.Host != "a.example" || req.Header.Get("X-Tab") != "a\tb" {
		t.Errorf("read back %s %s host %s X-Tab %q", req.Method, req.RequestURI, req.Host, req.Header.Get("X-Tab"))
	}
	if want := "hello " + string(bytes.Repeat([]byte("w"), 300)); string(body) != want {
		t.Errorf("body %q", body)
	}
	if got := AppendContentLength(nil, 1234); string(got) != "Content-Length: 1234\r\n" {
		t.Errorf("AppendContentLength: %q", got)
	}
}

func TestAppendRefusesInjection(t *testing.T) {
	for _, tt := range []struct {
		method, target string
		want           error
	}{
		{"", "/", ErrInvalidMethod},
		{"GE T", "/", ErrInvalidMethod},
		{"GET", "", ErrInvalidTarget},
		{"GET", "/a b", ErrInvalidTarget},
		{"GET", "/a\r\nX: y", ErrInvalidTarget},
	} {
		if _, err := AppendRequestLine(nil, tt.method, tt.target); err != tt.want {
			t.Errorf("AppendRequestLine(%q, %q) = %v, want %v", tt.method, tt.target, err, tt.want)
		}
	}
	for _, tt := range []struct {
		name, value string
		want        error
	}{
		{"", "v", ErrInvalidHeaderName},
		{"X:Y", "v", ErrInvalidHeaderName},
		{"X", "a\r\nInjected: 1", ErrInvalidHeaderValue},
		{"X", "a\nb", ErrInvalidHeaderValue},
		{"X", "nul\x00", ErrInvalidHeaderValue},
	} {
		if _, err := AppendHeaderField(nil, tt.name, tt.value); err != tt.want {
			t.Errorf("AppendHeaderField(%q, %q) = %v, want %v", tt.name, tt.value, err, tt.want)
		}
	}
}

func TestAppendRequestAllocs(t *testing.T) {
	b := make([]byte, 0, 512)
	allocs := testing.AllocsPerRun(100, func() {
		b, _ = AppendRequestLine(b[:0], "GET", "/path?q=1")
		b, _ = AppendHeaderField(b, "Host", "example.com")
		b = AppendContentLength(b, 42)
	})
	if allocs != 0 {
		t.Errorf("%v allocations with room in the buffer, want 0", allocs)
	}
}
