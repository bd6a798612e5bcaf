package http1

import (
	"errors"
	"strconv"
)

// Errors of writing a request head.
var (
	// ErrInvalidMethod reports a method that is not a token.
	ErrInvalidMethod = errors.New("http1: invalid method")
	// ErrInvalidTarget reports a request-target that is empty or has a
	// space or control byte, which would end the request line early.
	ErrInvalidTarget = errors.New("http1: invalid request-target")
	// ErrInvalidHeaderName reports a header name that is not a token.
	ErrInvalidHeaderName = errors.New("http1: invalid header name")
	// ErrInvalidHeaderValue reports a header value with CR, LF or another
	// control byte but HTAB, which could inject header lines.
	ErrInvalidHeaderValue = errors.New("http1: invalid header value")
)

// AppendRequestLine appends "method SP target SP HTTP/1.1 CRLF" to b.
// Like the other Append functions, it allocates nothing beyond growing b,
// and refuses what would change the meaning of the head.
func AppendRequestLine(b []byte, method, target string) ([]byte, error) {
	if method == "" || !isTokenString(method) {
		return b, ErrInvalidMethod
	}
	if target == "" {
		return b, ErrInvalidTarget
	}
	for i := range len(target) {
		if c := target[i]; c <= ' ' || c == 0x7f {
			return b, ErrInvalidTarget
		}
	}
	b = append(b, method...)
	b = append(b, ' ')
	b = append(b, target...)
	return append(b, " HTTP/1.1\r\n"...), nil
}

// AppendHeaderField appends "name: value CRLF" to b.
func AppendHeaderField(b []byte, name, value string) ([]byte, error) {
	if name == "" || !isTokenString(name) {
		return b, ErrInvalidHeaderName
	}
	for i := range len(value) {
		if c := value[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return b, ErrInvalidHeaderValue
		}
	}
	b = append(b, name...)
	b = append(b, ": "...)
	b = append(b, value...)
	return append(b, "\r\n"...), nil
}

// AppendContentLength appends a Content-Length field for n to b.
func AppendContentLength(b []byte, n int64) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, n, 10)
	return append(b, "\r\n"...)
}

// AppendChunk appends data as one chunk of a chunked body (RFC 9112
// section 7.1). Empty data appends nothing, since a chunk of size zero
// would end the body: that is AppendLastChunk's.
func AppendChunk(b, data []byte) []byte {
	if len(data) == 0 {
		return b
	}
	b = strconv.AppendUint(b, uint64(len(data)), 16)
	b = append(b, "\r\n"...)
	b = append(b, data...)
	return append(b, "\r\n"...)
}

// AppendLastChunk appends the last chunk and the empty trailer block that
// end a chunked body.
func AppendLastChunk(b []byte) []byte { return append(b, "0\r\n\r\n"...) }

func isTokenString(s string) bool {
	for i := range len(s) {
		if !tokenTable[s[i]] {
			return false
		}
	}
	return true
}
