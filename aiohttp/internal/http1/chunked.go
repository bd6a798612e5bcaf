package http1

import (
	"bytes"
	"io"
)

// maxChunkLine bounds a chunk-size line, its CR included and its LF not:
// net/http reads chunk lines through a 4 KiB buffer and refuses a line
// whose CRLF does not fit in it, so a line of more than 4,096 bytes in all.
const maxChunkLine = 4095

// maxChunkOverhead bounds framing bytes (sizes, extensions, CRLFs) in excess
// of what the data justifies, with net/http's allowance: 16 bytes per chunk
// plus twice its data.
const maxChunkOverhead = 16 << 10

type chunkState uint8

const (
	stateSize chunkState = iota
	stateData
	stateDataEnd
	stateTrailer
	stateDone
)

// ChunkedDecoder decodes a chunked body (RFC 9112 section 7.1) from bytes
// fed to it as they arrive. The zero value is ready to use, with default
// Limits for the trailer block.
type ChunkedDecoder struct {
	// Limits bound the trailer block (MaxTrailerBytes, MaxLineBytes,
	// MaxHeaders).
	Limits Limits

	state    chunkState
	left     uint64 // data bytes left in the current chunk
	excess   int64
	trailers []Header
}

// Decode consumes bytes from the start of in and returns the next body data,
// a sub-slice of in, and how many bytes of in it consumed (data included).
// The caller drops those n bytes and keeps the rest for the next call.
//
// It returns ErrIncomplete when in holds no data and not enough bytes to
// get past the next chunk-size line, chunk end or trailer block (which must
// arrive whole); n may still be positive. It returns io.EOF once the last
// chunk and the trailers are consumed. Any other error is final.
func (d *ChunkedDecoder) Decode(in []byte) (data []byte, n int, err error) {
	for {
		switch d.state {
		case stateSize:
			i := bytes.IndexByte(in[n:], '\n')
			if i < 0 {
				if len(in)-n > maxChunkLine {
					return nil, n, ErrLineTooLong
				}
				return nil, n, ErrIncomplete
			}
			line := in[n : n+i+1]
			if err := d.chunkSize(line); err != nil {
				return nil, n, err
			}
			n += len(line)
		case stateData:
			if n == len(in) {
				return nil, n, ErrIncomplete
			}
			k := uint64(len(in) - n)
			if k > d.left {
				k = d.left
			}
			data = in[n : n+int(k)]
			d.left -= k
			if d.left == 0 {
				d.state = stateDataEnd
			}
			return data, n + int(k), nil
		case stateDataEnd:
			if len(in)-n < 2 {
				if len(in) > n && in[n] != '\r' {
					return nil, n, ErrMissingChunkCRLF
				}
				return nil, n, ErrIncomplete
			}
			if in[n] != '\r' || in[n+1] != '\n' {
				return nil, n, ErrMissingChunkCRLF
			}
			n += 2
			d.state = stateSize
		case stateTrailer:
			lim := d.Limits.withDefaults()
			hs, k, err := parseFields(in[n:], 0, d.trailers[:0], lim, lim.MaxTrailerBytes, true)
			d.trailers = hs
			if err != nil {
				if err == ErrHeadTooLarge {
					err = ErrTrailerTooLarge
				}
				return nil, n, err
			}
			n += k
			d.state = stateDone
		case stateDone:
			return nil, n, io.EOF
		}
	}
}

// chunkSize parses a chunk-size line ending in '\n', as net/http does:
// CRLF required and no other CR, trailing whitespace ignored, extensions
// ignored, 1 to 16 hex digits.
func (d *ChunkedDecoder) chunkSize(line []byte) error {
	// The length comes first: Decode refuses a line as too long before
	// its end has arrived, and must say the same of it arriving whole.
	if len(line)-1 > maxChunkLine {
		return ErrLineTooLong
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return ErrBareLF
	}
	line = line[:len(line)-2]
	if bytes.IndexByte(line, '\r') >= 0 {
		return ErrBareCR
	}
	d.excess += int64(len(line)) + 2
	line = bytes.TrimRight(line, " \t")
	if i := bytes.IndexByte(line, ';'); i >= 0 {
		line = line[:i]
	}
	if len(line) == 0 {
		return ErrBadChunkSize
	}
	var size uint64
	for i, c := range line {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return ErrBadChunkSize
		}
		if i == 16 {
			return ErrChunkSizeOverflow
		}
		size = size<<4 | uint64(c)
	}
	if size == 0 {
		d.state = stateTrailer
		return nil
	}
	d.excess = max(d.excess-16-2*int64(min(size, 1<<40)), 0)
	if d.excess > maxChunkOverhead {
		return ErrChunkOverhead
	}
	d.left = size
	d.state = stateData
	return nil
}

// Trailers returns the trailer fields once Decode has returned io.EOF.
// They are sub-slices of the buffer passed to that last call.
func (d *ChunkedDecoder) Trailers() []Header { return d.trailers }

// Done reports whether the whole body, trailers included, has been decoded.
func (d *ChunkedDecoder) Done() bool { return d.state == stateDone }
