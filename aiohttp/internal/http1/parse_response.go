package http1

import (
	"bytes"
	"errors"
)

// Errors of the status line.
var (
	// ErrBadStatusLine reports a status line without a version and a status.
	ErrBadStatusLine = errors.New("http1: malformed status line")
	// ErrBadStatus reports a status code that is not three digits from 100
	// to 999.
	ErrBadStatus = errors.New("http1: malformed status code")
)

// UntilClose is the framing of a response whose body runs until the
// server closes the connection (RFC 9112 section 6.3, rule 8). Requests
// never have it.
const UntilClose Framing = Chunked + 1

// Response is a parsed response head. Its byte slices point into the buffer
// it was parsed from and are valid only while that buffer is unchanged.
type Response struct {
	// ProtoMinor is 0 for HTTP/1.0 and 1 for HTTP/1.1.
	ProtoMinor int
	// StatusCode is the three-digit status.
	StatusCode int
	// Reason is the reason phrase, possibly empty.
	Reason []byte
	// Headers in the order received. Parse reuses its capacity.
	Headers []Header
}

// Parse parses a status line and header block from the start of buf into
// r, reusing the capacity of r.Headers. It returns the number of bytes of
// the head (through the blank line), or ErrIncomplete when buf does not yet
// hold the whole head and no limit is exceeded. Header lines follow the
// rules of request heads.
func (r *Response) Parse(buf []byte, lim Limits) (int, error) {
	lim = lim.withDefaults()
	hs := r.Headers[:0]
	*r = Response{Headers: hs}
	line, next, err := nextLine(buf, 0, lim)
	if err != nil {
		return 0, err
	}
	if err := r.parseStatusLine(line); err != nil {
		return 0, err
	}
	hs, n, err := parseFields(buf, next, hs, lim, lim.MaxHeaderBytes, false)
	r.Headers = hs
	if err != nil {
		return 0, err
	}
	return n, nil
}

// parseStatusLine parses "HTTP/1.x SP 3DIGIT [SP reason]". As net/http
// does, it takes more than one space before the status and a missing
// reason; unlike it, only the two versions this package speaks, and only
// status codes of three digits from 100 on (net/http takes "+12" and "099").
func (r *Response) parseStatusLine(line []byte) error {
	sp := bytes.IndexByte(line, ' ')
	if sp < 0 {
		return ErrBadStatusLine
	}
	switch string(line[:sp]) {
	case "HTTP/1.1":
		r.ProtoMinor = 1
	case "HTTP/1.0":
		r.ProtoMinor = 0
	default:
		return ErrBadVersion
	}
	rest := bytes.TrimLeft(line[sp+1:], " ")
	code := rest
	if i := bytes.IndexByte(rest, ' '); i >= 0 {
		code, r.Reason = rest[:i], rest[i+1:]
	}
	if len(code) != 3 {
		return ErrBadStatus
	}
	n := 0
	for _, c := range code {
		if c < '0' || c > '9' {
			return ErrBadStatus
		}
		n = n*10 + int(c-'0')
	}
	if n < 100 {
		return ErrBadStatus
	}
	r.StatusCode = n
	return nil
}

// ResponseFraming is how a response's body is delimited, and what that
// means for the connection.
type ResponseFraming struct {
	Kind Framing
	// Length is the body's length for ContentLength; for a response without
	// a body, the Content-Length the head announced, or -1.
	Length int64
	// Close reports that the connection cannot carry another response
	// after this one: the server said so (Connection: close, or HTTP/1.0
	// without keep-alive), the body runs until the close, or the framing
	// was suspect (Transfer-Encoding with Content-Length).
	Close bool
}

// BodyFraming returns how the body of a response to a request of method
// is delimited (RFC 9112 section 6.3), with net/http's reading of it:
// responses to HEAD and 1xx, 204 and 304 responses have no body;
// Transfer-Encoding: chunked wins over Content-Length (RFC 9112 says a
// client may reject that, and net/http does not; the connection is then
// not reused); an HTTP/1.0 response's Transfer-Encoding is ignored; a
// Content-Length that is invalid or repeated with differing values is an
// error even where no body follows; and without either, the body runs until
// the connection closes.
func (r *Response) BodyFraming(method string) (ResponseFraming, error) {
	lf, err := scanLengthFields(r.Headers)
	if err != nil {
		return ResponseFraming{}, err
	}
	cl, te, ncl, nte := lf.cl, lf.te, lf.ncl, lf.nte
	f := ResponseFraming{Length: -1, Close: r.wantsClose()}
	chunked := false
	if nte > 0 && r.ProtoMinor == 1 {
		if nte > 1 || !equalFold(te, "chunked") {
			return ResponseFraming{}, ErrBadTransferEncoding
		}
		if err := checkTrailerDecl(r.Headers); err != nil {
			return ResponseFraming{}, err
		}
		chunked = true
	}
	if nte > 0 && (ncl > 0 || r.ProtoMinor == 0) {
		f.Close = true
	}
	if ncl > 0 {
		n, ok := parseDecimal(cl)
		if !ok {
			return ResponseFraming{}, ErrBadContentLength
		}
		f.Length = n
	}
	if method == "HEAD" || r.StatusCode < 200 || r.StatusCode == 204 || r.StatusCode == 304 {
		if chunked {
			f.Length = -1
		}
		f.Kind = NoBody
		return f, nil
	}
	switch {
	case chunked:
		f.Kind, f.Length = Chunked, -1
	case f.Length == 0:
		f.Kind = NoBody
	case f.Length > 0:
		f.Kind = ContentLength
	default:
		f.Kind, f.Close = UntilClose, true
	}
	return f, nil
}

// wantsClose reports whether the head asks for the connection to close
// after this response, as net/http's shouldClose reads it.
func (r *Response) wantsClose() bool {
	closeTok, keepAlive := false, false
	for _, h := range r.Headers {
		if !equalFold(h.Name, "Connection") {
			continue
		}
		for tok := range bytes.SplitSeq(h.Value, []byte(",")) {
			tok = bytes.Trim(tok, " \t")
			closeTok = closeTok || equalFold(tok, "close")
			keepAlive = keepAlive || equalFold(tok, "keep-alive")
		}
	}
	if r.ProtoMinor == 0 {
		return closeTok || !keepAlive
	}
	return closeTok
}
