package http1

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
)

// parsed is what both parsers must agree on.
type parsed struct {
	Method, Target, Host string
	ProtoMinor           int
	Header, Trailer      http.Header
	Body                 string
}

// stricterThanNetHTTP lists the only errors with which we may reject a
// request that net/http's ReadRequest accepts, each deliberate:
var stricterThanNetHTTP = []error{
	ErrBadVersion,       // ReadRequest accepts any HTTP/x.y; only 1.0 and 1.1 are spoken here.
	ErrObsFold,          // ReadRequest unfolds; RFC 9112 5.2 lets a server reject, and values stay sub-slices.
	ErrBareCR,           // ReadRequest trims a CR ending a header line; a lone CR is a smuggling vector (RFC 9112 2.2).
	ErrLengthAndChunked, // ReadRequest drops the Content-Length; RFC 9112 6.1 allows rejecting, smuggling vector.
	ErrBareLF,           // in trailers only: ReadRequest tolerates some bare-LF trailer lines; we require CRLF there as in all chunk framing.
	ErrLineTooLong,      // limits ReadRequest does not have (its server applies only MaxHeaderBytes).
	ErrHeadTooLarge,
	ErrTooManyHeaders,
	ErrTrailerTooLarge,
}

// Two more are stricter only in one case each: ErrBadTransferEncoding for
// HTTP/1.0, whose Transfer-Encoding ReadRequest ignores (RFC 9112 6.1: such
// a message is faulty); ErrBadHeaderName and ErrSpaceBeforeColon for a name
// with a space in it, which ReadRequest keeps uncanonicalized (go.dev/issue/34540)
// and RFC 9112 5.1 says to reject. And ErrBadTarget for an empty CONNECT target.
func allowedStricter(err error, in []byte, theirs *parsed) bool {
	for _, e := range stricterThanNetHTTP {
		if errors.Is(err, e) {
			return true
		}
	}
	if errors.Is(err, ErrBadTransferEncoding) {
		r, _, herr := ParseRequestHead(in, Limits{})
		return herr == nil && r.ProtoMinor == 0
	}
	if errors.Is(err, ErrBadTarget) && theirs.Method == "CONNECT" && theirs.Target == "" {
		return true // RFC 9112 3.2.3: CONNECT needs an authority; ReadRequest takes an empty one.
	}
	if errors.Is(err, ErrBadHeaderName) || errors.Is(err, ErrSpaceBeforeColon) {
		for _, h := range []http.Header{theirs.Header, theirs.Trailer} {
			for k := range h {
				if strings.Contains(k, " ") {
					return true
				}
			}
		}
	}
	return false
}

func parseOurs(in []byte) (*parsed, error) {
	r, n, err := ParseRequestHead(in, Limits{})
	if err != nil {
		return nil, err
	}
	u, err := r.URL()
	if err != nil {
		return nil, err
	}
	f, err := r.BodyFraming()
	if err != nil {
		return nil, err
	}
	p := &parsed{Method: string(r.Method), Target: string(r.Target), ProtoMinor: r.ProtoMinor,
		Header: http.Header{}, Trailer: http.Header{}, Host: u.Host}
	for _, h := range r.Headers {
		p.Header.Add(string(h.Name), string(h.Value))
	}
	if p.Host == "" {
		p.Host = p.Header.Get("Host")
	}
	rest := in[n:]
	switch f.Kind {
	case ContentLength:
		if int64(len(rest)) < f.Length {
			return nil, ErrIncomplete
		}
		p.Body = string(rest[:f.Length])
	case Chunked:
		body, err := decodeChunkedInto(rest, p.Trailer)
		if err != nil {
			return nil, err
		}
		p.Body = body
	}
	normalize(p)
	return p, nil
}

func parseNetHTTP(in []byte) (*parsed, error) {
	req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(in)))
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	p := &parsed{Method: req.Method, Target: req.RequestURI, ProtoMinor: req.ProtoMinor,
		Header: req.Header, Trailer: http.Header{}, Host: req.Host, Body: string(body)}
	for k, v := range req.Trailer {
		if v != nil {
			p.Trailer[k] = v
		}
	}
	normalize(p)
	return p, nil
}

// normalize removes what ReadRequest moves out of or adds to the header map
// (Host, framing fields, the Pragma-implied Cache-Control), so the rest can
// be compared field for field.
func normalize(p *parsed) {
	if cl := p.Header["Content-Length"]; len(cl) > 1 {
		p.Header["Content-Length"] = cl[:1]
	}
	normalizeFields(&p.Header, &p.Trailer, "Host", "Transfer-Encoding", "Trailer")
}

// normalizeFields drops the fields named, which net/http moves out of the
// header map or rewrites, and the Cache-Control it adds beside Pragma, and
// makes empty maps nil, so that our fields and net/http's compare equal.
func normalizeFields(header, trailer *http.Header, drop ...string) {
	for _, k := range drop {
		delete(*header, k)
	}
	if _, ok := (*header)["Pragma"]; ok {
		delete(*header, "Cache-Control")
	}
	if len(*header) == 0 {
		*header = nil
	}
	if len(*trailer) == 0 {
		*trailer = nil
	}
}

// FuzzRequestVsNetHTTP parses the same bytes with this package and with
// http.ReadRequest plus a read of the body: both must accept or reject, and
// what both accept must read the same. We may reject what net/http accepts
// only for the reasons in stricterThanNetHTTP; never the reverse.
func FuzzRequestVsNetHTTP(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		ours, ourErr := parseOurs(in)
		checkIncremental(t, in)
		theirs, theirErr := parseNetHTTP(in)
		switch {
		case ourErr == nil && theirErr != nil:
			t.Fatalf("we accept, net/http rejects: %v\n%q", theirErr, in)
		case ourErr != nil && theirErr == nil:
			if !allowedStricter(ourErr, in, theirs) {
				t.Fatalf("we reject with %v, net/http accepts\n%q", ourErr, in)
			}
		case ourErr == nil:
			if !reflect.DeepEqual(ours, theirs) {
				t.Fatalf("parsed differently\nours:   %+v\ntheirs: %+v\n%q", ours, theirs, in)
			}
		}
	})
}

var fuzzSeeds = []string{
	typicalRequest,
	"GET / HTTP/1.0\r\n\r\n",
	"GET / HTTP/1.1\nHost: a\n\n",
	"POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
	"POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
	"POST /p HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
	"POST /p HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
	"POST /p HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
	"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
	"GET / HTTP/1.1\r\nX: a\r\r\n\r\n",
	"CONNECT a.example:443 HTTP/1.1\r\nHost: a.example:443\r\n\r\n",
	"GET http://a.example/x?y HTTP/1.1\r\nPragma: no-cache\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\n\r\n",
	"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTrailer: X-T\r\n\r\n1\r\na\r\n0\r\nX-T: v\r\n\r\n",
}

// checkIncremental checks that the result does not depend on how the bytes
// arrive: a head one byte short is incomplete, and a chunked body fed three
// bytes at a time decodes as when given whole.
func checkIncremental(t *testing.T, in []byte) {
	r, n, err := ParseRequestHead(in, Limits{})
	if err != nil {
		return
	}
	if _, _, err := ParseRequestHead(in[:n-1], Limits{}); err != ErrIncomplete {
		t.Fatalf("head one byte short: %v, want ErrIncomplete\n%q", err, in)
	}
	if f, err := r.BodyFraming(); err != nil || f.Kind != Chunked {
		return
	}
	body1, tr1, _, err1 := decodeAll(string(in[n:]), len(in))
	body3, tr3, _, err3 := decodeAll(string(in[n:]), 3)
	if body1 != body3 || err1 != err3 || !reflect.DeepEqual(tr1, tr3) {
		t.Fatalf("chunked body whole: %q %q %v; 3 bytes at a time: %q %q %v\n%q", body1, tr1, err1, body3, tr3, err3, in)
	}
}

// decodeChunkedInto decodes the chunked body at the start of in, which
// must hold all of it, and adds its trailers to trailer.
func decodeChunkedInto(in []byte, trailer http.Header) (string, error) {
	var d ChunkedDecoder
	var body []byte
	for {
		data, k, err := d.Decode(in)
		body = append(body, data...)
		in = in[k:]
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", err
		}
	}
	for _, h := range d.Trailers() {
		trailer.Add(string(h.Name), string(h.Value))
	}
	return string(body), nil
}
