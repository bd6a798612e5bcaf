package http1

import (
	"bytes"
	"strings"
)

// Header is one header field. Name and Value are sub-slices of the parsed
// buffer; Value has its surrounding spaces and tabs removed.
type Header struct {
	Name, Value []byte
}

// Request is a parsed request head. Its byte slices point into the buffer it
// was parsed from and are valid only while that buffer is unchanged.
type Request struct {
	Method []byte
	Target []byte
	// ProtoMinor is 0 for HTTP/1.0 and 1 for HTTP/1.1.
	ProtoMinor int
	// Headers in the order received. Parse reuses its capacity, which is
	// how a connection parses request after request without allocating.
	Headers []Header
}

// ParseRequestHead parses a request line and header block from the start of
// buf. It returns the request and the number of bytes of the head (through
// the blank line), or ErrIncomplete when buf does not yet hold the whole head
// and no limit is exceeded. It allocates the header slice once; a
// connection parsing request after request uses Parse to allocate nothing.
func ParseRequestHead(buf []byte, lim Limits) (Request, int, error) {
	// 16 fields hold a typical browser request without growing.
	r := Request{Headers: make([]Header, 0, 16)}
	n, err := r.Parse(buf, lim)
	return r, n, err
}

// Parse is ParseRequestHead into r, reusing the capacity of r.Headers.
func (r *Request) Parse(buf []byte, lim Limits) (int, error) {
	lim = lim.withDefaults()
	hs := r.Headers[:0]
	*r = Request{Headers: hs}
	line, next, err := nextLine(buf, 0, lim)
	if err != nil {
		return 0, err
	}
	if err := r.parseRequestLine(line); err != nil {
		return 0, err
	}
	hs, n, err := parseFields(buf, next, hs, lim, lim.MaxHeaderBytes, false)
	r.Headers = hs
	if err != nil {
		return 0, err
	}
	// RFC 9112 section 3.2: a request with more than one Host is rejected,
	// since two parties that pick different ones route it differently.
	hosts := 0
	for _, h := range hs {
		if len(h.Name) == 4 && strings.EqualFold(string(h.Name), "Host") {
			hosts++
		}
	}
	if hosts > 1 {
		return 0, ErrMultipleHost
	}
	return n, nil
}

// nextLine returns the line starting at buf[start] without its line end,
// and the index after the line end. A bare LF ends a line as it does for
// net/http (RFC 9112 section 2.2 allows it); any other CR is rejected, since
// parsers that disagree on CR are how messages get smuggled.
func nextLine(buf []byte, start int, lim Limits) ([]byte, int, error) {
	rest := buf[start:]
	i := bytes.IndexByte(rest, '\n')
	if i < 0 {
		if len(rest) > lim.MaxLineBytes+1 {
			return nil, 0, ErrLineTooLong
		}
		if len(buf) > lim.MaxHeaderBytes {
			return nil, 0, ErrHeadTooLarge
		}
		return nil, 0, ErrIncomplete
	}
	line := rest[:i]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	if len(line) > lim.MaxLineBytes {
		return nil, 0, ErrLineTooLong
	}
	if start+i+1 > lim.MaxHeaderBytes {
		return nil, 0, ErrHeadTooLarge
	}
	if bytes.IndexByte(line, '\r') >= 0 {
		return nil, 0, ErrBareCR
	}
	return line, start + i + 1, nil
}

func (r *Request) parseRequestLine(line []byte) error {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return ErrBadRequestLine
	}
	r.Method = line[:sp]
	if len(r.Method) == 0 || !isToken(r.Method) {
		return ErrBadMethod
	}
	rest := line[sp+1:]
	sp = bytes.IndexByte(rest, ' ')
	if sp < 0 {
		return ErrBadRequestLine
	}
	r.Target = rest[:sp]
	if len(r.Target) == 0 {
		return ErrBadTarget
	}
	for _, c := range r.Target {
		if c < 0x21 || c == 0x7f {
			return ErrBadTarget
		}
	}
	// Only the two versions this package speaks: net/http's ReadRequest
	// accepts any HTTP/x.y and leaves refusing them to its server.
	switch string(rest[sp+1:]) {
	case "HTTP/1.1":
		r.ProtoMinor = 1
	case "HTTP/1.0":
		r.ProtoMinor = 0
	default:
		return ErrBadVersion
	}
	return nil
}

// parseFields parses header lines from buf[start:] through the blank line,
// appending to hs. maxBytes bounds the block's end offset in buf. With
// strictCRLF, lines must end in CRLF (trailers, as net/http requires).
func parseFields(buf []byte, start int, hs []Header, lim Limits, maxBytes int, strictCRLF bool) ([]Header, int, error) {
	lim.MaxHeaderBytes = maxBytes
	for i := start; ; {
		line, next, err := nextLine(buf, i, lim)
		if err != nil {
			return hs, 0, err
		}
		if strictCRLF && (next-i == len(line)+1) {
			return hs, 0, ErrBareLF
		}
		i = next
		if len(line) == 0 {
			return hs, i, nil
		}
		if line[0] == ' ' || line[0] == '\t' {
			// RFC 9112 section 5.2: a server must reject obs-fold or
			// replace it; rejecting keeps header values sub-slices.
			return hs, 0, ErrObsFold
		}
		h, err := parseField(line)
		if err != nil {
			return hs, 0, err
		}
		if len(hs) >= lim.MaxHeaders {
			return hs, 0, ErrTooManyHeaders
		}
		hs = append(hs, h)
	}
}

func parseField(line []byte) (Header, error) {
	colon := bytes.IndexByte(line, ':')
	if colon < 0 {
		return Header{}, ErrMissingColon
	}
	name := line[:colon]
	if len(name) == 0 {
		return Header{}, ErrBadHeaderName
	}
	if c := name[len(name)-1]; c == ' ' || c == '\t' {
		return Header{}, ErrSpaceBeforeColon
	}
	if !isToken(name) {
		return Header{}, ErrBadHeaderName
	}
	v := line[colon+1:]
	for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for len(v) > 0 && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	for _, c := range v {
		if (c < 0x20 && c != '\t') || c == 0x7f {
			return Header{}, ErrBadHeaderValue
		}
	}
	return Header{Name: name, Value: v}, nil
}

// tokenTable marks the tchar bytes of RFC 9110 section 5.6.2.
var tokenTable = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return t
}()

func isToken(b []byte) bool {
	for _, c := range b {
		if !tokenTable[c] {
			return false
		}
	}
	return true
}
