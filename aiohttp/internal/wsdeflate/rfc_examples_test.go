package wsdeflate

import (
	"bytes"
	"errors"
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

// TestRFCExamplesCompress checks that our compressor writes the RFC's
// frames byte for byte where its choice of block is the RFC's: level 6
// codes "Hello" as fixed Huffman (7.2.3.1), BestSpeed stores inputs of
// 16 bytes or less (7.2.3.3). For 7.2.3.2 see TestRFCSharedWindowCompress.
func TestRFCExamplesCompress(t *testing.T) {
	hello := []byte("Hello")
	tests := []struct {
		name     string
		cfg      Config
		takeover bool
		want     [][]byte
	}{
		{"7.2.3.1 level 6", Config{Level: 6}, false, [][]byte{
			rfcExamples[0].messages[0][0],
			rfcExamples[0].messages[0][0],
		}},
		{"7.2.3.3 BestSpeed", Config{}, false, [][]byte{
			rfcExamples[4].messages[0][0],
			rfcExamples[4].messages[0][0],
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCompressor(Params{ServerNoContextTakeover: !tt.takeover}, true, tt.cfg)
			defer c.Close()
			for i, want := range tt.want {
				if got := frame(c.Compress(nil, hello)); !bytes.Equal(got, want) {
					t.Fatalf("message %d: % x, want % x", i, got, want)
				}
			}
		})
	}
}

// TestRFCFragmentedCompress sends "Hello" as the fragments "Hel" and
// "lo": the payloads of the two fragments, concatenated, are the whole
// message's payload of 7.2.3.1.
func TestRFCFragmentedCompress(t *testing.T) {
	c := NewCompressor(Params{}, true, Config{Level: 6})
	defer c.Close()
	first := c.CompressFragment(nil, []byte("Hel"), false)
	whole := c.CompressFragment(first, []byte("lo"), true)
	if want := rfcExamples[0].messages[0][0][2:]; !bytes.Equal(whole, want) {
		t.Fatalf("% x, want % x", whole, want)
	}
}

// TestRFCSharedWindowCompress is 7.2.3.2 from the sending side. The RFC's
// encoder (zlib) codes the second "Hello" as f2 00 11 00 00; flate codes
// the same back-reference in 4 bytes (02 13 00 00), so the test checks
// what the RFC's example shows rather than its bytes: with context
// takeover the second message is one back-reference, no longer than the
// RFC's, that a decompressor with the first as history inflates.
func TestRFCSharedWindowCompress(t *testing.T) {
	p := Params{}
	c := NewCompressor(p, true, Config{Level: 6, ContextTakeover: true})
	defer c.Close()
	d := NewDecompressor(p, false)
	defer d.Close()
	first := c.Compress(nil, []byte("Hello"))
	if want := rfcExamples[2].messages[0][0][2:]; !bytes.Equal(first, want) {
		t.Fatalf("first message % x, want % x", first, want)
	}
	second := c.Compress(nil, []byte("Hello"))
	if len(second) > 5 {
		t.Fatalf("second message % x is longer than the RFC's 5 bytes", second)
	}
	for i, m := range [][]byte{first, second} {
		if got, err := d.Decompress(nil, m, 0); err != nil || string(got) != "Hello" {
			t.Fatalf("message %d: %q, %v", i, got, err)
		}
	}
}
