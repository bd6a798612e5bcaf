package http1

import "bytes"

// Framing says how a message's body is delimited (RFC 9112 section 6).
type Framing int

const (
	// NoBody: the request has no body.
	NoBody Framing = iota
	// ContentLength: the body is the next Length bytes.
	ContentLength
	// Chunked: the body is chunked; decode it with a ChunkedDecoder.
	Chunked
)

// BodyFraming is how a request's body is delimited.
type BodyFraming struct {
	Kind   Framing
	Length int64 // for ContentLength
}

// BodyFraming returns how the request's body is framed. It rejects what
// RFC 9112 section 6.3 says a server must reject and what would let two
// parsers disagree on where the body ends: Content-Length together with
// Transfer-Encoding (net/http drops the Content-Length instead; we refuse,
// as the RFC allows and proxies expect), differing or invalid Content-Length
// values, and a Transfer-Encoding other than a single "chunked" — which
// includes any Transfer-Encoding in an HTTP/1.0 request, which net/http
// ignores.
func (r *Request) BodyFraming() (BodyFraming, error) {
	lf, err := scanLengthFields(r.Headers)
	if err != nil {
		return BodyFraming{}, err
	}
	cl, te, ncl, nte := lf.cl, lf.te, lf.ncl, lf.nte
	if nte > 0 {
		if ncl > 0 {
			return BodyFraming{}, ErrLengthAndChunked
		}
		if nte > 1 || r.ProtoMinor == 0 || !equalFold(te, "chunked") {
			return BodyFraming{}, ErrBadTransferEncoding
		}
		if err := checkTrailerDecl(r.Headers); err != nil {
			return BodyFraming{}, err
		}
		return BodyFraming{Kind: Chunked}, nil
	}
	if ncl == 0 {
		return BodyFraming{}, nil
	}
	n, ok := parseDecimal(cl)
	if !ok {
		return BodyFraming{}, ErrBadContentLength
	}
	if n == 0 {
		return BodyFraming{}, nil
	}
	return BodyFraming{Kind: ContentLength, Length: n}, nil
}

// lengthFields are a message's Content-Length and Transfer-Encoding
// fields: the last value of each and how many there were.
type lengthFields struct {
	cl, te   []byte
	ncl, nte int
}

// scanLengthFields finds the fields that frame a message's body. Repeated
// Content-Length fields must agree (RFC 9112 section 6.3), as net/http
// requires of requests and responses alike.
func scanLengthFields(hs []Header) (lengthFields, error) {
	var f lengthFields
	for _, h := range hs {
		switch {
		case equalFold(h.Name, "Content-Length"):
			if f.ncl > 0 && !bytes.Equal(f.cl, h.Value) {
				return lengthFields{}, ErrBadContentLength
			}
			f.cl = h.Value
			f.ncl++
		case equalFold(h.Name, "Transfer-Encoding"):
			f.te = h.Value
			f.nte++
		}
	}
	return f, nil
}

// checkTrailerDecl refuses a Trailer header announcing a framing field as
// a trailer, as net/http does: such a trailer could reframe the body.
func checkTrailerDecl(hs []Header) error {
	for _, h := range hs {
		if !equalFold(h.Name, "Trailer") {
			continue
		}
		for f := range bytes.SplitSeq(h.Value, []byte(",")) {
			f = bytes.Trim(f, " \t")
			if equalFold(f, "Transfer-Encoding") || equalFold(f, "Trailer") || equalFold(f, "Content-Length") {
				return ErrBadTrailerDecl
			}
		}
	}
	return nil
}

// parseDecimal parses 1*DIGIT that fits in an int64.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if n > (1<<63-1-int64(c-'0'))/10 {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// equalFold reports whether b equals the ASCII string s ignoring case,
// without converting b to a string (which would allocate).
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
