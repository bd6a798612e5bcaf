package http1

import (
	"errors"
	"strings"
	"testing"
)

const typicalRequest = "GET /api/items/42?expand=owner HTTP/1.1\r\n" +
	"Host: example.com\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36\r\n" +
	"Accept: application/json, text/plain, */*\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Accept-Encoding: gzip, deflate, br\r\n" +
	"Connection: keep-alive\r\n" +
	"Cookie: session=abc123; theme=dark\r\n" +
	"Cache-Control: no-cache\r\n" +
	"\r\n"

var headRules = []struct {
	rule string
	in   string
	err  error // nil: accepted
}{
	{"Accept_Typical", typicalRequest, nil},
	{"Accept_HTTP10", "GET / HTTP/1.0\r\n\r\n", nil},
	{"Accept_BareLFLineEnds_AsNetHTTP", "GET / HTTP/1.1\nHost: a\n\n", nil},
	{"Accept_EmptyHeaderValue", "GET / HTTP/1.1\r\nX-Empty:\r\n\r\n", nil},
	{"Accept_ObsTextInValue", "GET / HTTP/1.1\r\nX: caf\xc3\xa9\r\n\r\n", nil},
	{"Accept_TabInValue", "GET / HTTP/1.1\r\nX: a\tb\r\n\r\n", nil},
	{"Accept_AbsoluteFormTarget", "GET http://a.example/x HTTP/1.1\r\n\r\n", nil},
	{"Accept_AsteriskTarget", "OPTIONS * HTTP/1.1\r\n\r\n", nil},
	{"Incomplete_NoBlankLine", "GET / HTTP/1.1\r\nHost: a\r\n", ErrIncomplete},
	{"Incomplete_PartialLine", "GET / HT", ErrIncomplete},
	{"Reject_MethodNonToken", "G(T / HTTP/1.1\r\n\r\n", ErrBadMethod},
	{"Reject_MethodEmpty", " / HTTP/1.1\r\n\r\n", ErrBadMethod},
	{"Reject_TargetEmpty", "GET  HTTP/1.1\r\n\r\n", ErrBadTarget},
	{"Reject_TargetCTL", "GET /\x01 HTTP/1.1\r\n\r\n", ErrBadTarget},
	{"Reject_TargetDEL", "GET /\x7f HTTP/1.1\r\n\r\n", ErrBadTarget},
	{"Reject_TargetSpace", "GET /a b HTTP/1.1\r\n\r\n", ErrBadVersion},
	{"Reject_RequestLineTwoParts", "GET /\r\n\r\n", ErrBadRequestLine},
	{"Reject_VersionHTTP2", "GET / HTTP/2.0\r\n\r\n", ErrBadVersion},
	{"Reject_VersionHTTP09", "GET / HTTP/0.9\r\n\r\n", ErrBadVersion},
	{"Reject_VersionLowercase", "GET / http/1.1\r\n\r\n", ErrBadVersion},
	{"Reject_VersionTrailingSpace", "GET / HTTP/1.1 \r\n\r\n", ErrBadVersion},
	{"Reject_BareCRInRequestLine", "GET /\rx HTTP/1.1\r\n\r\n", ErrBareCR},
	{"Reject_BareCRInHeader", "GET / HTTP/1.1\r\nX: a\rb\r\n\r\n", ErrBareCR},
	{"Reject_BareCRAtHeaderEnd", "GET / HTTP/1.1\r\nX: a\r\r\n\r\n", ErrBareCR},
	{"Reject_ObsFoldFirstHeader", "GET / HTTP/1.1\r\n X: a\r\n\r\n", ErrObsFold},
	{"Reject_ObsFoldContinuation", "GET / HTTP/1.1\r\nX: a\r\n\tb\r\n\r\n", ErrObsFold},
	{"Reject_HeaderNoColon", "GET / HTTP/1.1\r\nX a\r\n\r\n", ErrMissingColon},
	{"Reject_HeaderNameEmpty", "GET / HTTP/1.1\r\n: a\r\n\r\n", ErrBadHeaderName},
	{"Reject_HeaderNameNonToken", "GET / HTTP/1.1\r\nX@Y: a\r\n\r\n", ErrBadHeaderName},
	{"Reject_SpaceBeforeColon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", ErrSpaceBeforeColon},
	{"Reject_TabBeforeColon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", ErrSpaceBeforeColon},
	{"Reject_HeaderValueCTL", "GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n", ErrBadHeaderValue},
	{"Reject_HeaderValueDEL", "GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n", ErrBadHeaderValue},
	{"Reject_LeadingEmptyLine", "\r\nGET / HTTP/1.1\r\n\r\n", ErrBadRequestLine},
}

func TestParseRequestHeadRules(t *testing.T) {
	for _, tt := range headRules {
		t.Run(tt.rule, func(t *testing.T) {
			_, n, err := ParseRequestHead([]byte(tt.in), Limits{})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if err == nil && n != len(tt.in) {
				t.Fatalf("consumed %d of %d", n, len(tt.in))
			}
		})
	}
}

func TestParseRequestHeadFields(t *testing.T) {
	in := "POST /x HTTP/1.0\r\nHost:  a.example \r\nX-Y:\tv w\t\r\n\r\nBODY"
	r, n, err := ParseRequestHead([]byte(in), Limits{})
	if err != nil || n != len(in)-4 {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if string(r.Method) != "POST" || string(r.Target) != "/x" || r.ProtoMinor != 0 {
		t.Fatalf("got %q %q 1.%d", r.Method, r.Target, r.ProtoMinor)
	}
	want := []string{"Host", "a.example", "X-Y", "v w"}
	if len(r.Headers) != 2 {
		t.Fatalf("headers %d", len(r.Headers))
	}
	for i, h := range r.Headers {
		if string(h.Name) != want[2*i] || string(h.Value) != want[2*i+1] {
			t.Errorf("header %d = %q: %q", i, h.Name, h.Value)
		}
	}
}

func TestParseRequestHeadLimits(t *testing.T) {
	lim := Limits{MaxLineBytes: 64, MaxHeaderBytes: 128, MaxHeaders: 3}
	cases := []struct {
		rule string
		in   string
		err  error
	}{
		{"Reject_RequestLineTooLong", "GET /" + strings.Repeat("a", 80) + " HTTP/1.1\r\n\r\n", ErrLineTooLong},
		{"Reject_RequestLineTooLongIncomplete", "GET /" + strings.Repeat("a", 80), ErrLineTooLong},
		{"Reject_HeaderLineTooLong", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 80) + "\r\n\r\n", ErrLineTooLong},
		{"Reject_HeadTooLarge", "GET / HTTP/1.1\r\n" + strings.Repeat("X: "+strings.Repeat("a", 50)+"\r\n", 3), ErrHeadTooLarge},
		{"Reject_TooManyHeaders", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n", ErrTooManyHeaders},
		{"Accept_AtHeaderLimit", "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", nil},
		{"Accept_LineAtLimit", "GET / HTTP/1.1\r\nX: " + strings.Repeat("a", 61) + "\r\n\r\n", nil},
	}
	for _, tt := range cases {
		t.Run(tt.rule, func(t *testing.T) {
			_, _, err := ParseRequestHead([]byte(tt.in), lim)
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
		})
	}
}

// TestParseRequestHeadIncremental checks that every prefix of a head is
// ErrIncomplete (or the same error) and the whole head parses the same as
// when given at once: a connection hands the parser whatever has arrived.
func TestParseRequestHeadIncremental(t *testing.T) {
	for _, tt := range headRules {
		t.Run(tt.rule, func(t *testing.T) {
			whole, wn, werr := ParseRequestHead([]byte(tt.in), Limits{})
			for k := 0; k <= len(tt.in); k++ {
				r, n, err := ParseRequestHead([]byte(tt.in[:k]), Limits{})
				if err == ErrIncomplete {
					continue
				}
				if err != werr || n != wn {
					t.Fatalf("prefix %d: n=%d err=%v, whole: n=%d err=%v", k, n, err, wn, werr)
				}
				if err == nil && (string(r.Method) != string(whole.Method) || len(r.Headers) != len(whole.Headers)) {
					t.Fatalf("prefix %d parsed differently", k)
				}
				return
			}
			if werr != ErrIncomplete {
				t.Fatalf("no prefix reached %v", werr)
			}
		})
	}
}

func TestParseReusesHeaders(t *testing.T) {
	var r Request
	r.Headers = make([]Header, 0, 16)
	buf := []byte(typicalRequest)
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := r.Parse(buf, Limits{}); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("%v allocations per parse, want 0", allocs)
	}
}
