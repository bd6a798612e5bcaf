package http1

import "errors"

// ErrIncomplete reports that the buffer holds only part of what is being
// parsed; the caller should read more bytes and call again with all of them.
var ErrIncomplete = errors.New("http1: incomplete message")

// Errors of the request line.
var (
	// ErrBadMethod reports an empty method or one with a non-token byte.
	ErrBadMethod = errors.New("http1: malformed method")
	// ErrBadTarget reports an empty request-target or one with a control byte.
	ErrBadTarget = errors.New("http1: malformed request-target")
	// ErrBadVersion reports a protocol version other than HTTP/1.0 or HTTP/1.1.
	ErrBadVersion = errors.New("http1: unsupported or malformed HTTP version")
	// ErrBadRequestLine reports a request line without its three parts.
	ErrBadRequestLine = errors.New("http1: malformed request line")
)

// Errors of lines and header fields, shared by request heads and trailers.
var (
	// ErrBareCR reports a CR not followed by LF (RFC 9112 section 2.2).
	ErrBareCR = errors.New("http1: bare CR in message head")
	// ErrBareLF reports a line ending in LF alone where CRLF is required
	// (chunk-size lines, chunk data ends and trailers).
	ErrBareLF = errors.New("http1: bare LF where CRLF is required")
	// ErrObsFold reports obsolete line folding (RFC 9112 section 5.2).
	ErrObsFold = errors.New("http1: obsolete line folding in header")
	// ErrMissingColon reports a header line without a colon.
	ErrMissingColon = errors.New("http1: header line without colon")
	// ErrBadHeaderName reports an empty header name or one with a non-token byte.
	ErrBadHeaderName = errors.New("http1: malformed header name")
	// ErrSpaceBeforeColon reports whitespace between a header name and its
	// colon, which RFC 9112 section 5.1 says must be rejected.
	ErrSpaceBeforeColon = errors.New("http1: whitespace before header colon")
	// ErrBadHeaderValue reports a control byte other than HTAB in a header value.
	ErrBadHeaderValue = errors.New("http1: invalid byte in header value")
	// ErrLineTooLong reports a line longer than the limit.
	ErrLineTooLong = errors.New("http1: line too long")
	// ErrHeadTooLarge reports a header block (or trailer block) larger than the limit.
	ErrHeadTooLarge = errors.New("http1: header block too large")
	// ErrTooManyHeaders reports more header fields than the limit.
	ErrTooManyHeaders = errors.New("http1: too many header fields")
	// ErrMultipleHost reports a request with more than one Host field.
	ErrMultipleHost = errors.New("http1: more than one Host field")
)

// Errors of body framing (RFC 9112 section 6).
var (
	// ErrLengthAndChunked reports a message with both Content-Length and
	// Transfer-Encoding, the classic request-smuggling vector.
	ErrLengthAndChunked = errors.New("http1: both Content-Length and Transfer-Encoding")
	// ErrBadContentLength reports a Content-Length that is empty, not decimal
	// digits, too large, or repeated with differing values.
	ErrBadContentLength = errors.New("http1: invalid Content-Length")
	// ErrBadTransferEncoding reports a Transfer-Encoding other than a single
	// "chunked", or any Transfer-Encoding in an HTTP/1.0 request.
	ErrBadTransferEncoding = errors.New("http1: unsupported Transfer-Encoding")
	// ErrBadTrailerDecl reports a Trailer header naming a field that must not
	// be sent as a trailer (as net/http refuses).
	ErrBadTrailerDecl = errors.New("http1: forbidden field declared in Trailer")
)

// Errors of chunked bodies.
var (
	// ErrBadChunkSize reports a chunk size that is empty or not hexadecimal.
	ErrBadChunkSize = errors.New("http1: invalid chunk size")
	// ErrChunkSizeOverflow reports a chunk size of more than 16 hex digits.
	ErrChunkSizeOverflow = errors.New("http1: chunk size too large")
	// ErrMissingChunkCRLF reports chunk data not followed by CRLF.
	ErrMissingChunkCRLF = errors.New("http1: missing CRLF after chunk data")
	// ErrChunkOverhead reports chunk extensions and framing far outweighing
	// the data, a slow-drip denial of service net/http also refuses.
	ErrChunkOverhead = errors.New("http1: too much chunk framing for the data")
	// ErrTrailerTooLarge reports a trailer block larger than MaxTrailerBytes.
	ErrTrailerTooLarge = errors.New("http1: trailer block too large")
)
