package http1

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

func TestAppendStatusLine(t *testing.T) {
	cases := []struct {
		minor, code int
		want        string
	}{
		{1, 200, "HTTP/1.1 200 OK\r\n"},
		{0, 404, "HTTP/1.0 404 Not Found\r\n"},
		{1, 103, "HTTP/1.1 103 Early Hints\r\n"},
		{1, 599, "HTTP/1.1 599 status code 599\r\n"},
	}
	for _, c := range cases {
		if got := string(AppendStatusLine(nil, c.minor, c.code)); got != c.want {
			t.Errorf("AppendStatusLine(%d, %d) = %q, want %q", c.minor, c.code, got, c.want)
		}
	}
}

// A value cannot split the response: what AppendHeader writes reads back as
// one field, as net/http's Header.Write would write it.
func TestAppendHeaderNoSplitting(t *testing.T) {
	for _, v := range []string{"plain", " padded\t", "a\r\nX-Injected: 1", "a\nb", "a\rb"} {
		b := AppendStatusLine(nil, 1, 200)
		b = AppendHeader(b, "X-V", v)
		b = append(b, "Content-Length: 0\r\n\r\n"...)
		resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(string(b))), nil)
		if err != nil {
			t.Errorf("%q: %v", v, err)
			continue
		}
		var want strings.Builder
		http.Header{"X-V": {v}}.Write(&want)
		wantResp, _ := http.ReadResponse(bufio.NewReader(strings.NewReader("HTTP/1.1 200 OK\r\n"+want.String()+"Content-Length: 0\r\n\r\n")), nil)
		if resp.Header.Get("X-Injected") != "" || len(resp.Header) != len(wantResp.Header) || resp.Header.Get("X-V") != wantResp.Header.Get("X-V") {
			t.Errorf("%q: header %v, net/http's %v", v, resp.Header, wantResp.Header)
		}
	}
}

func TestAppendChunkHeader(t *testing.T) {
	if got := string(AppendChunkHeader(nil, 4096)); got != "1000\r\n" {
		t.Errorf("AppendChunkHeader(4096) = %q", got)
	}
}

func TestValidHeaderName(t *testing.T) {
	for name, want := range map[string]bool{"X-Ok": true, "": false, "Bad Name": false, "Bad:Name": false, "Ok_1": true} {
		if got := ValidHeaderName(name); got != want {
			t.Errorf("ValidHeaderName(%q) = %v", name, got)
		}
	}
}
