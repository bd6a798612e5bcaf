package wsdeflate

import (
	"fmt"
	"io"
	"sync"

	"github.com/klauspost/compress/flate"
)

// tail is appended to every payload before it is inflated: the LEN and
// NLEN of the empty stored block that the sender's sync flush began and
// stripped (RFC 7692 section 7.2.2), then an empty final stored block of
// our own, so that the reader ends a complete message with io.EOF and
// reports a truncated one as an error.
var tail = []byte{0x00, 0x00, 0xff, 0xff, 0x01, 0x00, 0x00, 0xff, 0xff}

// Decompressor decompresses one side's incoming messages. It is not safe
// for concurrent use.
type Decompressor struct {
	takeover bool
	window   int // bytes of history the peer may refer to
	// hist is the end of the output so far, kept only with context
	// takeover: at most window bytes, grown as output comes.
	hist   []byte
	closed bool
}

// reader is a flate reader bound for life to its own source, so that a
// pooled reader refers to nothing outside itself.
type reader struct {
	fr  io.ReadCloser
	src source
}

// source reads a payload and then tail, without copying the payload. It
// is an io.ByteReader, which spares the flate reader a bufio.Reader.
type source struct {
	payload, tail []byte
}

func (s *source) Read(p []byte) (int, error) {
	if len(s.payload) == 0 {
		s.payload, s.tail = s.tail, nil
		if len(s.payload) == 0 {
			return 0, io.EOF
		}
	}
	n := copy(p, s.payload)
	s.payload = s.payload[n:]
	return n, nil
}

func (s *source) ReadByte() (byte, error) {
	if len(s.payload) == 0 {
		s.payload, s.tail = s.tail, nil
		if len(s.payload) == 0 {
			return 0, io.EOF
		}
	}
	c := s.payload[0]
	s.payload = s.payload[1:]
	return c, nil
}

// minRead is the least room Decompress offers the reader at a time.
const minRead = 512

var readerPool sync.Pool

// getReader returns a reader of payload whose window starts as dict.
func getReader(payload, dict []byte) *reader {
	r, ok := readerPool.Get().(*reader)
	if !ok {
		r = new(reader)
	}
	r.src = source{payload, tail}
	if r.fr == nil {
		r.fr = flate.NewReaderDict(&r.src, dict)
	} else if err := r.fr.(flate.Resetter).Reset(&r.src, dict); err != nil {
		panic(err) // flate's Reset returns no error
	}
	return r
}

func putReader(r *reader) {
	r.src = source{}
	readerPool.Put(r)
}

// NewDecompressor returns a Decompressor for the messages that the client
// sends (if server) or that the server sends, under the negotiated p. It
// panics if p's window bits are out of range.
func NewDecompressor(p Params, server bool) *Decompressor {
	noTakeover, bits := p.ServerNoContextTakeover, p.ServerMaxWindowBits
	if server {
		noTakeover, bits = p.ClientNoContextTakeover, p.ClientMaxWindowBits
	}
	return &Decompressor{takeover: !noTakeover, window: 1 << windowBits(bits)}
}

// Decompress appends the decompressed bytes of the message whose whole
// compressed payload is payload (its fragments concatenated) to dst and
// returns the extended slice.
//
// If limit > 0 and the message would inflate to more than limit bytes,
// Decompress stops once it knows, having appended exactly limit bytes
// (growing dst by about twice that at most) and inflated at most 32 KiB
// more, and returns ErrTooLarge. Corrupt input returns an error that
// wraps ErrCorrupt. On error the returned slice holds what was appended
// before it; after an error the Decompressor's history is lost, and the
// connection must be failed (close code 1009 for ErrTooLarge, 1007
// otherwise).
//
// An empty payload is an empty message: it is not deflate data, but
// zlib-based peers read it so.
func (d *Decompressor) Decompress(dst, payload []byte, limit int) ([]byte, error) {
	if d.closed {
		panic("wsdeflate: Decompressor used after Close")
	}
	if len(payload) == 0 {
		return dst, nil
	}
	r := getReader(payload, d.hist)
	defer putReader(r)
	start := len(dst)
	for {
		if len(dst) == cap(dst) {
			dst = grow(dst, start, limit)
		}
		buf := dst[len(dst):cap(dst)]
		if limit > 0 {
			// Ask for one byte past the limit, to learn whether there is more.
			if room := limit + 1 - (len(dst) - start); len(buf) > room {
				buf = buf[:room]
			}
		}
		n, err := r.fr.Read(buf)
		dst = dst[:len(dst)+n]
		if limit > 0 && len(dst)-start > limit {
			d.hist = d.hist[:0]
			return dst[:start+limit], ErrTooLarge
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			// The source cannot fail, so every error is the payload's
			// fault: flate.CorruptInputError, or io.ErrUnexpectedEOF for
			// a payload that ends inside a block.
			d.hist = d.hist[:0]
			return dst, fmt.Errorf("%w: %v", ErrCorrupt, err)
		}
	}
	if d.takeover {
		d.remember(dst[start:])
	}
	return dst, nil
}

// grow returns dst with more capacity for the message that started at
// dst[start]: as much again as the message has so far, so that the
// copies add up to about its final length, and no more than the limit
// needs, so that a bomb costs at most about twice the limit.
func grow(dst []byte, start, limit int) []byte {
	n := max(minRead, len(dst)-start)
	if limit > 0 {
		// Room for the limit and the one byte past it that tells whether
		// there is more, without leaving a last growth of a few bytes.
		if rest := limit + 1 - (len(dst) - start); rest-n < minRead {
			n = rest
		}
	}
	b := make([]byte, len(dst), len(dst)+n)
	copy(b, dst)
	return b
}

// remember keeps the last d.window bytes of the output so far, out being
// the latest message's.
func (d *Decompressor) remember(out []byte) {
	if len(out) >= d.window {
		out = out[len(out)-d.window:]
	}
	if drop := len(d.hist) + len(out) - d.window; drop > 0 {
		d.hist = d.hist[:copy(d.hist, d.hist[drop:])]
	}
	if len(d.hist)+len(out) > cap(d.hist) {
		// Grow by doubling, to the window at most, so that a connection
		// of small messages keeps a small history.
		n := min(max(2*cap(d.hist), len(d.hist)+len(out), 256), d.window)
		d.hist = append(make([]byte, 0, n), d.hist...)
	}
	d.hist = append(d.hist, out...)
}

// Close releases the Decompressor's history. The Decompressor must not be
// used after Close; Close itself may be called again.
func (d *Decompressor) Close() {
	d.hist = nil
	d.closed = true
}
