package wsdeflate

import (
	"bytes"
	stdflate "compress/flate"
	"errors"
	"io"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/wsframe"
)

// rfcExamples are the frames of RFC 7692 section 7.2.3, each a message
// "Hello" sent by a server, one frame or several per message.
var rfcExamples = []struct {
	name     string
	takeover bool
	messages [][][]byte // frames of each message
}{
	{"7.2.3.1 one compressed block", false, [][][]byte{
		{{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
	}},
	{"7.2.3.1 fragmented", false, [][][]byte{
		{{0x41, 0x03, 0xf2, 0x48, 0xcd}, {0x80, 0x04, 0xc9, 0xc9, 0x07, 0x00}},
	}},
	{"7.2.3.2 sharing the sliding window", true, [][][]byte{
		{{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
		{{0xc1, 0x05, 0xf2, 0x00, 0x11, 0x00, 0x00}},
	}},
	{"7.2.3.2 without sharing", false, [][][]byte{
		{{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
		{{0xc1, 0x07, 0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}},
	}},
	{"7.2.3.3 no compression", false, [][][]byte{
		{{0xc1, 0x0b, 0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}},
	}},
	{"7.2.3.4 BFINAL set", false, [][][]byte{
		{{0xc1, 0x08, 0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}},
	}},
	{"7.2.3.5 two blocks", false, [][][]byte{
		{{0xc1, 0x0d, 0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07, 0x00}},
	}},
}

// payload parses frames as a client receives them and returns their
// payloads concatenated, checking that RSV1 marks the first frame only.
func payload(t *testing.T, frames [][]byte) []byte {
	t.Helper()
	var p []byte
	for i, f := range frames {
		h, n, err := wsframe.ParseHeader(f, wsframe.Limits{AllowRSV1: true}, wsframe.Client)
		if err != nil {
			t.Fatal(err)
		}
		if h.RSV1 != (i == 0) || h.Fin != (i == len(frames)-1) || int64(len(f)-n) != h.Length {
			t.Fatalf("frame %d: unexpected header %+v", i, h)
		}
		p = append(p, f[n:]...)
	}
	return p
}

func TestRFCExamplesDecompress(t *testing.T) {
	for _, ex := range rfcExamples {
		t.Run(ex.name, func(t *testing.T) {
			d := NewDecompressor(Params{ServerNoContextTakeover: !ex.takeover}, false)
			defer d.Close()
			for i, frames := range ex.messages {
				got, err := d.Decompress(nil, payload(t, frames), 100)
				if err != nil || string(got) != "Hello" {
					t.Fatalf("message %d: %q, %v; want \"Hello\"", i, got, err)
				}
			}
		})
	}
}

// TestRFCExampleNeedsHistory checks that the second message of section
// 7.2.3.2, all back-reference, is corrupt without the first as history.
func TestRFCExampleNeedsHistory(t *testing.T) {
	d := NewDecompressor(Params{}, false)
	defer d.Close()
	_, err := d.Decompress(nil, []byte{0xf2, 0x00, 0x11, 0x00, 0x00}, 0)
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("got %v, want ErrCorrupt", err)
	}
}

// frame returns a server's single-frame compressed text message.
func frame(p []byte) []byte {
	h := wsframe.Header{Fin: true, RSV1: true, Opcode: wsframe.Text, Length: int64(len(p))}
	return append(wsframe.AppendHeader(nil, h), p...)
}

// TestRFCExamplesCompress compresses the RFC's "Hello" (sections 7.2.3.1
// and 7.2.3.3) at two levels. An encoder may pick any valid block, and
// ours stores inputs this short, as 7.2.3.3 shows; so the payloads are
// checked with the standard library's inflater, an independent decoder,
// with the tail of section 7.2.2 appended.
func TestRFCExamplesCompress(t *testing.T) {
	for _, cfg := range []Config{{Level: 6}, {}} {
		c := NewCompressor(Params{ServerNoContextTakeover: true}, true, cfg)
		for i := range 2 {
			if got := stdInflate(t, c.Compress(nil, []byte("Hello")), nil); got != "Hello" {
				t.Errorf("level %d, message %d: inflates to %q", cfg.Level, i, got)
			}
		}
		c.Close()
	}
}

// TestRFCFragmentedCompress sends "Hello" as the fragments "Hel" and
// "lo": the payloads of the two fragments, concatenated, are the whole
// message's payload.
func TestRFCFragmentedCompress(t *testing.T) {
	c := NewCompressor(Params{}, true, Config{Level: 6})
	defer c.Close()
	first := c.CompressFragment(nil, []byte("Hel"), false)
	whole := c.CompressFragment(first, []byte("lo"), true)
	if got := stdInflate(t, whole, nil); got != "Hello" {
		t.Fatalf("% x inflates to %q", whole, got)
	}
}

// TestRFCSharedWindowCompress is 7.2.3.2 from the sending side: with
// context takeover the second "Hello" may refer to the first, and a
// decompressor with the first as history inflates it, ours and the
// standard library's alike.
func TestRFCSharedWindowCompress(t *testing.T) {
	p := Params{}
	c := NewCompressor(p, true, Config{Level: 6, ContextTakeover: true})
	defer c.Close()
	d := NewDecompressor(p, false)
	defer d.Close()
	first := c.Compress(nil, []byte("Hello"))
	second := c.Compress(nil, []byte("Hello"))
	for i, m := range [][]byte{first, second} {
		if got, err := d.Decompress(nil, m, 0); err != nil || string(got) != "Hello" {
			t.Fatalf("message %d: %q, %v", i, got, err)
		}
	}
	if got := stdInflate(t, second, []byte("Hello")); got != "Hello" {
		t.Fatalf("second message % x inflates with the first as history to %q", second, got)
	}
}

// stdInflate inflates a message's payload with compress/flate, the
// standard library's decoder, which this package does not use.
func stdInflate(t *testing.T, payload, dict []byte) string {
	t.Helper()
	r := stdflate.NewReaderDict(io.MultiReader(bytes.NewReader(payload), bytes.NewReader([]byte{0, 0, 0xff, 0xff})), dict)
	var out bytes.Buffer
	if _, err := io.CopyN(&out, r, 1<<20); err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		t.Fatalf("compress/flate cannot inflate % x: %v", payload, err)
	}
	return out.String()
}
