package aiohttp_test

import (
	"bytes"
	"compress/flate"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// wsDeflatePeer is the scripted peer's permessage-deflate (RFC 7692),
// written with the standard library's compress/flate so that the peer
// shares no code with aiohttp's (package wsdeflate uses
// klauspost/compress). It keeps the state the negotiation allows: its own
// compressor's window when it may take over context, and the endpoint's
// last messages when the endpoint may.
type wsDeflatePeer struct {
	w   *flate.Writer
	out bytes.Buffer
	// takeover: the peer's messages may refer to its earlier ones.
	takeover bool
	// bits is the peer's window, 8 to 15.
	bits int
	// sent is the end of what the peer compressed, to refer back to with
	// a small window (see compress).
	sent []byte
	// inTakeover: the endpoint's messages may refer to its earlier
	// ones, kept in inHist (at most 32 KiB, flate's window).
	inTakeover bool
	inHist     []byte
	// inBits is the endpoint's window, 8 to 15, which inflate checks
	// (deflateReach) when under 15.
	inBits int
}

// newWSDeflatePeer returns the deflate state of a peer that negotiated
// answer (a server's Sec-WebSocket-Extensions), as the client if client.
func newWSDeflatePeer(answer string, client bool) *wsDeflatePeer {
	own, other := "server_", "client_"
	if client {
		own, other = other, own
	}
	d := &wsDeflatePeer{bits: 15, takeover: true, inTakeover: true, inBits: 15}
	for _, p := range strings.Split(answer, ";")[1:] {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch name {
		case own + "no_context_takeover":
			d.takeover = false
		case other + "no_context_takeover":
			d.inTakeover = false
		case own + "max_window_bits":
			d.bits, _ = strconv.Atoi(value)
		case other + "max_window_bits":
			d.inBits, _ = strconv.Atoi(value)
		}
	}
	w, err := flate.NewWriter(&d.out, flate.DefaultCompression)
	if err != nil {
		panic(err)
	}
	d.w = w
	return d
}

// wsDeflateTail ends every compressed message on the wire (RFC 7692
// section 7.2.1), which the sender removes and the receiver puts back.
const wsDeflateTail = "\x00\x00\xff\xff"

// compress returns the payload of message p.
//
// With the full window, one writer compresses every message, flushed at
// each message's end, or is reset before each without context takeover.
// compress/flate cannot search a smaller window, so with one a message
// shorter than the window is compressed by a fresh writer given as
// dictionary the end of the peer's messages that fills the window with
// it (none without takeover): every reference stays within the window,
// and may reach to its far end. Longer messages are Huffman-coded only,
// without references.
func (d *wsDeflatePeer) compress(p []byte) []byte {
	d.out.Reset()
	window := 1 << d.bits
	switch {
	case d.bits == 15 && d.takeover:
		// The writer keeps its window.
	case d.bits == 15:
		d.w.Reset(&d.out)
	case len(p) < window:
		var dict []byte
		if d.takeover {
			dict = d.sent[max(len(d.sent)-(window-1-len(p)), 0):]
		}
		w, err := flate.NewWriterDict(&d.out, flate.DefaultCompression, dict)
		if err != nil {
			panic(err)
		}
		d.w = w
	default:
		w, err := flate.NewWriter(&d.out, flate.HuffmanOnly)
		if err != nil {
			panic(err)
		}
		d.w = w
	}
	if _, err := d.w.Write(p); err != nil {
		panic(err) // a bytes.Buffer does not fail
	}
	if err := d.w.Flush(); err != nil {
		panic(err)
	}
	if d.takeover && d.bits < 15 {
		d.sent = append(d.sent, p...)
		d.sent = d.sent[max(len(d.sent)-window, 0):]
	}
	b := d.out.Bytes()
	if !bytes.HasSuffix(b, []byte(wsDeflateTail)) {
		panic("flate's Flush did not end with an empty stored block")
	}
	if d.bits < 15 {
		// A check of the check: the peer keeps within its window.
		if dist, _, err := deflateReach(b); err != nil || dist > window-1 {
			panic(fmt.Sprintf("the peer's message refers %d bytes back in a %d-bit window (%v)", dist, d.bits, err))
		}
	}
	return bytes.Clone(b[:len(b)-len(wsDeflateTail)])
}

// inflate returns the message of payload p, which the endpoint compressed.
func (d *wsDeflatePeer) inflate(p []byte) ([]byte, error) {
	// The tail ends the message in an empty non-final block; an empty
	// final stored block after it ends the stream for flate's reader.
	src := io.MultiReader(bytes.NewReader(p), strings.NewReader(wsDeflateTail+"\x01\x00\x00\xff\xff"))
	r := flate.NewReaderDict(src, d.inHist)
	out, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("endpoint's compressed message does not inflate: %w", err)
	}
	if d.inBits < 15 {
		dist, n, err := deflateReach(append(p[:len(p):len(p)], wsDeflateTail...))
		switch {
		case err != nil || n != len(out):
			return nil, fmt.Errorf("deflateReach read %d bytes of %d: %v", n, len(out), err)
		case dist > 1<<d.inBits:
			return nil, fmt.Errorf("endpoint's compressed message refers %d bytes back, beyond its %d-bit window", dist, d.inBits)
		}
	}
	if d.inTakeover {
		d.inHist = append(d.inHist, out...)
		d.inHist = d.inHist[max(len(d.inHist)-32<<10, 0):]
	}
	return out, nil
}

// deflated is s compressed on its own, for table rows.
func deflated(s string) string {
	d := newWSDeflatePeer("permessage-deflate; client_no_context_takeover; server_no_context_takeover", true)
	return string(d.compress([]byte(s)))
}

// sendMessage sends a data message of type op, compressed, in frames of at
// most frag bytes of payload (all in one if frag is 0).
func (p *wsPeer) sendMessage(d *wsDeflatePeer, op wsframe.Opcode, m []byte, frag int) error {
	c := d.compress(m)
	if frag <= 0 {
		frag = len(c)
	}
	var b []byte
	first := true
	for {
		n := min(frag, len(c))
		f := wsFrame{data: c[:n]}
		if first {
			f.b0 = 0x40 | byte(op) // RSV1: compressed
		}
		if n == len(c) {
			f.b0 |= wsFin
		}
		b = p.appendFrame(b, f)
		c, first = c[n:], false
		if len(c) == 0 {
			break
		}
	}
	_, err := p.c.Write(b)
	return err
}

// receiveMessage reads the endpoint's next data message, inflating it if
// its first frame has RSV1.
func (p *wsPeer) receiveMessage(d *wsDeflatePeer) (wsframe.Opcode, []byte, error) {
	f, err := p.next()
	if err != nil {
		return 0, nil, err
	}
	op := wsframe.Opcode(f.b0 & 0x0f)
	if op != wsframe.Text && op != wsframe.Binary || f.b0&0x30 != 0 {
		return 0, nil, fmt.Errorf("got frame %v, want a data message", f)
	}
	compressed := f.b0&0x40 != 0
	m := f.data
	for f.b0&wsFin == 0 {
		if f, err = p.next(); err != nil {
			return 0, nil, err
		}
		if f.b0&0x7f != byte(wsframe.Continuation) {
			return 0, nil, fmt.Errorf("got frame %v, want a continuation", f)
		}
		m = append(m, f.data...)
	}
	if compressed {
		m, err = d.inflate(m)
	}
	return op, m, err
}
