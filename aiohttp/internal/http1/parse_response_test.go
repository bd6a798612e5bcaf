package http1

import (
	"testing"
)

func TestResponseBodyFraming(t *testing.T) {
	for _, tt := range []struct {
		name, method, head string
		kind               Framing
		length             int64
		close              bool
		err                error
	}{
		{"ContentLength", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", ContentLength, 12, false, nil},
		{"Chunked", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", Chunked, -1, false, nil},
		{"ChunkedWinsOverLengthAndCloses", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", Chunked, -1, true, nil},
		{"UntilClose", "GET", "HTTP/1.1 200 OK\r\n\r\n", UntilClose, -1, true, nil},
		{"HTTP10KeepAlive", "GET", "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 1\r\n\r\n", ContentLength, 1, false, nil},
		{"HTTP10Closes", "GET", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\n", ContentLength, 1, true, nil},
		{"HTTP10IgnoresTE", "GET", "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", UntilClose, -1, true, nil},
		{"ConnectionClose", "GET", "HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n", NoBody, 0, true, nil},
		{"Head", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", NoBody, 99, false, nil},
		{"NoContent", "GET", "HTTP/1.1 204 No Content\r\n\r\n", NoBody, -1, false, nil},
		{"NotModified", "GET", "HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\n", NoBody, 5, false, nil},
		{"Continue", "GET", "HTTP/1.1 100 Continue\r\n\r\n", NoBody, -1, false, nil},
		{"BadLength", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n", 0, 0, false, ErrBadContentLength},
		{"BadLengthEvenWithoutBody", "HEAD", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", 0, 0, false, ErrBadContentLength},
		{"DifferingLengths", "GET", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 0, 0, false, ErrBadContentLength},
		{"GzipTE", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 0, 0, false, ErrBadTransferEncoding},
		{"TrailerFraming", "GET", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n", 0, 0, false, ErrBadTrailerDecl},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var r Response
			n, err := r.Parse([]byte(tt.head+"rest"), Limits{})
			if err != nil || n != len(tt.head) {
				t.Fatalf("Parse: %d, %v", n, err)
			}
			f, err := r.BodyFraming(tt.method)
			if err != tt.err {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && (f.Kind != tt.kind || f.Length != tt.length || f.Close != tt.close) {
				t.Errorf("framing %+v, want kind %d length %d close %v", f, tt.kind, tt.length, tt.close)
			}
		})
	}
}

func TestResponseStatusLine(t *testing.T) {
	for _, tt := range []struct {
		line   string
		status int
		reason string
		err    error
	}{
		{"HTTP/1.1 200 OK", 200, "OK", nil},
		{"HTTP/1.1 404 Not Found", 404, "Not Found", nil},
		{"HTTP/1.0 200", 200, "", nil},
		{"HTTP/1.1  503  busy ", 503, " busy ", nil},
		{"HTTP/1.1 99 Low", 0, "", ErrBadStatus},
		{"HTTP/1.1 099 Low", 0, "", ErrBadStatus},
		{"HTTP/1.1 2000 OK", 0, "", ErrBadStatus},
		{"HTTP/1.1 +12 OK", 0, "", ErrBadStatus},
		{"HTTP/2 200 OK", 0, "", ErrBadVersion},
		{"HTTP/1.1", 0, "", ErrBadStatusLine},
	} {
		var r Response
		_, err := r.Parse([]byte(tt.line+"\r\n\r\n"), Limits{})
		if err != tt.err || err == nil && (r.StatusCode != tt.status || string(r.Reason) != tt.reason) {
			t.Errorf("%q: %d %q %v, want %d %q %v", tt.line, r.StatusCode, r.Reason, err, tt.status, tt.reason, tt.err)
		}
	}
}

func TestResponseParseAllocs(t *testing.T) {
	head := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\nDate: Sun, 06 Dec 2026 05:00:00 GMT\r\n\r\nhello")
	var r Response
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.Parse(head, Limits{}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.BodyFraming("GET"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per parse once the header slice has grown, want 0", allocs)
	}
}
