package http1

// Limits bounds what the parser accepts, so a peer cannot make it hold
// unbounded input. A zero field means its default.
type Limits struct {
	// MaxLineBytes bounds the request line and each header line,
	// without the line ending. Default 8 KiB, as aiohttp's max_line_size.
	MaxLineBytes int
	// MaxHeaderBytes bounds the whole head, request line and final blank
	// line included. Default 1 MiB, as net/http's DefaultMaxHeaderBytes.
	MaxHeaderBytes int
	// MaxHeaders bounds the number of header fields. Default 100.
	MaxHeaders int
	// MaxTrailerBytes bounds a chunked body's trailer block. Default 4 KiB,
	// the window in which net/http looks for a trailer's end.
	MaxTrailerBytes int
}

// Default limits, applied to zero fields of a Limits.
const (
	DefaultMaxLineBytes    = 8 << 10
	DefaultMaxHeaderBytes  = 1 << 20
	DefaultMaxHeaders      = 100
	DefaultMaxTrailerBytes = 4 << 10
)

func (l Limits) withDefaults() Limits {
	if l.MaxLineBytes <= 0 {
		l.MaxLineBytes = DefaultMaxLineBytes
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaders <= 0 {
		l.MaxHeaders = DefaultMaxHeaders
	}
	if l.MaxTrailerBytes <= 0 {
		l.MaxTrailerBytes = DefaultMaxTrailerBytes
	}
	return l
}
