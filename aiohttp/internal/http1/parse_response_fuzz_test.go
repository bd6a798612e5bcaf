package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httputil"
	"reflect"
	"strings"
	"testing"
)

// parsedResponse is what both response parsers must agree on.
type parsedResponse struct {
	StatusCode, ProtoMinor int
	Header, Trailer        http.Header
	Body                   string
}

// stricterResponse lists the errors with which we may reject a response
// that http.ReadResponse accepts, each deliberate (see stricterThanNetHTTP
// for the header rules they share with requests).
var stricterResponse = []error{
	ErrBadVersion, // ReadResponse takes any HTTP/x.y.
	ErrBadStatus,  // ReadResponse takes "+12" and codes below 100.
	ErrObsFold,
	ErrBareCR,
	ErrBareLF,
	ErrLineTooLong,
	ErrHeadTooLarge,
	ErrTooManyHeaders,
	ErrTrailerTooLarge,
}

func parseResponseOurs(in []byte, method string) (*parsedResponse, error) {
	var r Response
	n, err := r.Parse(in, Limits{})
	if err != nil {
		return nil, err
	}
	f, err := r.BodyFraming(method)
	if err != nil {
		return nil, err
	}
	p := &parsedResponse{StatusCode: r.StatusCode, ProtoMinor: r.ProtoMinor, Header: http.Header{}, Trailer: http.Header{}}
	for _, h := range r.Headers {
		p.Header.Add(string(h.Name), string(h.Value))
	}
	rest := in[n:]
	switch f.Kind {
	case ContentLength:
		if int64(len(rest)) < f.Length {
			return nil, ErrIncomplete
		}
		p.Body = string(rest[:f.Length])
	case UntilClose:
		p.Body = string(rest)
	case Chunked:
		body, err := decodeChunkedInto(rest, p.Trailer)
		if err != nil {
			return nil, err
		}
		p.Body = body
	}
	normalizeResponse(p)
	return p, nil
}

func parseResponseNetHTTP(in []byte, method string) (*parsedResponse, error) {
	req, _ := http.NewRequest(method, "http://a.example/", nil)
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(in)), req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	p := &parsedResponse{StatusCode: resp.StatusCode, ProtoMinor: resp.ProtoMinor, Header: resp.Header,
		Trailer: http.Header{}, Body: string(body)}
	for k, v := range resp.Trailer {
		if v != nil {
			p.Trailer[k] = v
		}
	}
	normalizeResponse(p)
	return p, nil
}

// normalizeResponse removes the fields ReadResponse moves out of the
// header map, rewrites or adds (framing, Connection, Pragma's Cache-Control).
func normalizeResponse(p *parsedResponse) {
	normalizeFields(&p.Header, &p.Trailer, "Transfer-Encoding", "Trailer", "Connection", "Content-Length")
}

// FuzzResponseVsNetHTTP parses the same bytes as the response to a GET or
// a HEAD (the first byte chooses) with this package and with
// http.ReadResponse plus a read of the body to the end of the input: both
// must accept or reject, and what both accept must read the same. We may
// reject what net/http accepts only for the reasons in stricterResponse.
func FuzzResponseVsNetHTTP(f *testing.F) {
	for _, s := range responseSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		method := "GET"
		if in[0]&1 == 1 {
			method = "HEAD"
		}
		in = in[1:]
		ours, ourErr := parseResponseOurs(in, method)
		theirs, theirErr := parseResponseNetHTTP(in, method)
		switch {
		case ourErr == nil && theirErr != nil:
			t.Fatalf("we accept, net/http rejects: %v\n%q", theirErr, in)
		case ourErr != nil && theirErr == nil:
			for _, e := range stricterResponse {
				if errors.Is(ourErr, e) {
					return
				}
			}
			// As for requests: a name with a space in it, which
			// ReadResponse keeps and RFC 9112 5.1 says to reject.
			if errors.Is(ourErr, ErrBadHeaderName) || errors.Is(ourErr, ErrSpaceBeforeColon) {
				for _, h := range []http.Header{theirs.Header, theirs.Trailer} {
					for k := range h {
						if strings.Contains(k, " ") {
							return
						}
					}
				}
			}
			t.Fatalf("we reject with %v, net/http accepts\n%q", ourErr, in)
		case ourErr == nil:
			if !reflect.DeepEqual(ours, theirs) {
				t.Fatalf("parsed differently\nours:   %+v\ntheirs: %+v\n%q", ours, theirs, in)
			}
		}
		var r Response
		if n, err := r.Parse(in, Limits{}); err == nil {
			if _, err := r.Parse(in[:n-1], Limits{}); err != ErrIncomplete {
				t.Fatalf("head one byte short: %v, want ErrIncomplete\n%q", err, in)
			}
		}
	})
}

// The first byte of each seed chooses the method: "0" for GET, "1" for HEAD.
var responseSeeds = []string{
	"0HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello",
	"0HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"0HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
	"0HTTP/1.0 200 OK\r\n\r\nuntil close",
	"0HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"0HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n",
	"0HTTP/1.1 304 Not Modified\r\n\r\n",
	"0HTTP/1.1 100 Continue\r\n\r\n",
	"0HTTP/1.1 200\r\n\r\n",
	"0HTTP/1.1  200  spaced reason \r\nConnection: close\r\n\r\nx",
	"0HTTP/1.1 099 Low\r\n\r\n",
	"0HTTP/1.1 +12 Odd\r\n\r\n",
	"0HTTP/2.0 200 OK\r\n\r\n",
	"0HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
	"0HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
	"0HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	"0HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n",
	"0HTTP/1.1 200 OK\nContent-Length: 1\n\nz",
	"1HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
	"1HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: Content-Length\r\n\r\n",
	"0HTTP/1.1 200 OK\r\nPragma: no-cache\r\nContent-Length: 0\r\n\r\n",
}

// FuzzChunkedVsNetHTTP decodes the same chunked body with ChunkedDecoder,
// fed whole and three bytes at a time, and with httputil's chunked reader:
// what both accept must decode to the same data. Ours is stricter on bare
// LF after chunk data and on framing overhead, as net/http's server is.
func FuzzChunkedVsNetHTTP(f *testing.F) {
	for _, tt := range chunkedRules {
		f.Add([]byte(tt.in))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		body1, _, _, err1 := decodeAll(string(in), len(in)+1)
		body3, _, _, err3 := decodeAll(string(in), 3)
		if body1 != body3 || err1 != err3 {
			t.Fatalf("whole: %q %v; 3 bytes at a time: %q %v\n%q", body1, err1, body3, err3, in)
		}
		if err1 != nil {
			return
		}
		// httputil stops at the last chunk's CRLF and leaves the trailers.
		theirs, err := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(in)))
		if err != nil {
			t.Fatalf("we accept, net/http rejects: %v\n%q", err, in)
		}
		if string(theirs) != body1 {
			t.Fatalf("decoded differently: ours %q, theirs %q\n%q", body1, theirs, in)
		}
	})
}
