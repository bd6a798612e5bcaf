package wsdeflate

import (
	"sync"

	"github.com/klauspost/compress/flate"
)

// Compressor compresses one side's outgoing messages. It is not safe for
// concurrent use; a connection has one for the messages it sends, used by
// one writer at a time.
type Compressor struct {
	level    int
	takeover bool // keep w between messages
	w        *writer
	closed   bool
}

// writer is a flate.Writer bound for life to its own sink, so that a
// pooled writer refers to nothing outside itself.
type writer struct {
	fw   *flate.Writer
	sink sink
}

// sink is the io.Writer of a flate.Writer: it appends to the slice the
// current call was given, and holds none between calls.
type sink struct{ b []byte }

func (s *sink) Write(p []byte) (int, error) {
	s.b = append(s.b, p...)
	return len(p), nil
}

// writerPools holds idle writers, one pool per flate level from
// HuffmanOnly (-2) to BestCompression (9); slot 1, for
// DefaultCompression, stays empty since Config.level maps it to 6.
var writerPools [flate.BestCompression - flate.HuffmanOnly + 1]sync.Pool

// getWriter returns a writer of the given level in its initial state.
func getWriter(level int) *writer {
	if w, ok := writerPools[level-flate.HuffmanOnly].Get().(*writer); ok {
		w.fw.Reset(&w.sink)
		return w
	}
	w := new(writer)
	fw, err := flate.NewWriter(&w.sink, level)
	if err != nil {
		panic(err) // Config.level checked the level
	}
	w.fw = fw
	return w
}

func putWriter(level int, w *writer) {
	writerPools[level-flate.HuffmanOnly].Put(w)
}

// NewCompressor returns a Compressor for the messages of the server (if
// server) or of the client, under the negotiated p and with our cfg.
//
// It keeps its context between messages only if cfg.ContextTakeover asks
// for it, p allows it and the level is not flate.HuffmanOnly; if p limits
// our window below 15 bits, it compresses Huffman-only (see the package
// doc). It panics if cfg.Level is not a valid level or p's window bits are out
// of range.
func NewCompressor(p Params, server bool, cfg Config) *Compressor {
	noTakeover, bits := p.ClientNoContextTakeover, p.ClientMaxWindowBits
	if server {
		noTakeover, bits = p.ServerNoContextTakeover, p.ServerMaxWindowBits
	}
	c := &Compressor{level: cfg.level(), takeover: cfg.ContextTakeover && !noTakeover}
	if windowBits(bits) < MaxWindowBits {
		c.level = flate.HuffmanOnly
	}
	if c.level == flate.HuffmanOnly {
		// No back-references, so no use for the context.
		c.takeover = false
	}
	return c
}

// Compress appends the compressed payload of the whole message msg to
// dst and returns the extended slice. The payload ends without the
// 00 00 ff ff of the sync flush (RFC 7692 section 7.2.1). It is
// CompressFragment with final set.
func (c *Compressor) Compress(dst, msg []byte) []byte {
	return c.CompressFragment(dst, msg, true)
}

// CompressFragment appends the compressed form of p, the next part of a
// message sent as a stream of fragments, to dst and returns the extended
// slice; final ends the message. A fragment that is not final is not
// flushed: what it appends may be less than p's compressed form, even
// nothing, and the rest comes with later fragments. The payloads of all
// the message's fragments, concatenated, are its compressed payload; a
// caller may send each as one frame or buffer them as it likes.
//
// Without context takeover, the Compressor holds a pooled writer only
// from a message's first fragment to its final one.
func (c *Compressor) CompressFragment(dst, p []byte, final bool) []byte {
	if c.closed {
		panic("wsdeflate: Compressor used after Close")
	}
	if c.w == nil {
		c.w = getWriter(c.level)
	}
	w := c.w
	w.sink.b = dst
	// The sink cannot fail, so neither can the writer.
	w.fw.Write(p)
	if final {
		w.fw.Flush()
	}
	dst, w.sink.b = w.sink.b, nil
	if !final {
		return dst
	}
	// A sync flush ends with the empty stored block's LEN and NLEN.
	dst = dst[:len(dst)-4]
	if !c.takeover {
		putWriter(c.level, w)
		c.w = nil
	}
	return dst
}

// Close releases the Compressor's writer, if it holds one, to the pool. The
// Compressor must not be used after Close; Close itself may be called
// again.
func (c *Compressor) Close() {
	if c.w != nil {
		putWriter(c.level, c.w)
		c.w = nil
	}
	c.closed = true
}
