package wsdeflate

import (
	"bytes"
	"errors"
	"testing"

	"github.com/klauspost/compress/flate"
)

// FuzzDecompress inflates an arbitrary payload twice in a row (the second
// time on the history of the first, with takeover) under a limit, and
// checks that Decompress never panics, never appends more than the limit
// and fails only with its own errors; then it checks that the payload,
// taken as a message, survives a round trip through Compress.
func FuzzDecompress(f *testing.F) {
	f.Add([]byte{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}, true, uint16(100), uint8(7))
	f.Add([]byte{0xf2, 0x00, 0x11, 0x00, 0x00}, true, uint16(0), uint8(0))
	f.Add([]byte{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c, 0x6c, 0x6f, 0x00}, false, uint16(3), uint8(1))
	f.Add([]byte{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00}, false, uint16(5), uint8(2))
	f.Fuzz(func(t *testing.T, payload []byte, takeover bool, limit16 uint16, sel uint8) {
		limit := int(limit16)
		p := Params{
			ClientNoContextTakeover: !takeover,
			ClientMaxWindowBits:     MinWindowBits + int(sel%8),
		}
		d := NewDecompressor(p, true)
		defer d.Close()
		for range 2 {
			out, err := d.Decompress([]byte("x"), payload, limit)
			if limit > 0 && len(out) > 1+limit {
				t.Fatalf("%d bytes appended with limit %d", len(out)-1, limit)
			}
			if err != nil && err != ErrTooLarge && !errors.Is(err, ErrCorrupt) {
				t.Fatalf("unexpected error %v", err)
			}
			if len(d.hist) > d.window || (!takeover && len(d.hist) > 0) {
				t.Fatalf("history of %d bytes, window %d, takeover %v", len(d.hist), d.window, takeover)
			}
		}

		levels := []int{0, flate.HuffmanOnly, flate.BestSpeed, 2, 6, flate.BestCompression}
		cfg := Config{Level: levels[int(sel>>3)%len(levels)], ContextTakeover: takeover}
		c := NewCompressor(p, false, cfg)
		defer c.Close()
		rd := NewDecompressor(p, true)
		defer rd.Close()
		for i := range 2 {
			compressed := c.Compress(nil, payload)
			out, err := rd.Decompress(nil, compressed, len(payload))
			if err != nil || !bytes.Equal(out, payload) {
				t.Fatalf("round trip %d with %+v: %d bytes, %v; want %d", i, cfg, len(out), err, len(payload))
			}
		}
		if len(payload) > 1 {
			fresh := NewCompressor(p, false, cfg)
			defer fresh.Close()
			tight := NewDecompressor(p, true)
			defer tight.Close()
			if _, err := tight.Decompress(nil, fresh.Compress(nil, payload), len(payload)-1); err != ErrTooLarge {
				t.Fatalf("limit one short: %v, want ErrTooLarge", err)
			}
		}
	})
}

// FuzzAccept checks that Accept never panics on a header value and that
// whatever it answers is a response a client that made the same offer
// accepts, with the same parameters.
func FuzzAccept(f *testing.F) {
	f.Add("permessage-deflate; client_max_window_bits", false)
	f.Add(`x-foo; a="b,c", permessage-deflate; server_max_window_bits="10"; client_no_context_takeover`, true)
	f.Add("permessage-deflate; server_max_window_bits=08, permessage-deflate;;", false)
	f.Fuzz(func(t *testing.T, value string, takeover bool) {
		p, resp, ok := Accept([]string{value}, Config{ContextTakeover: takeover})
		if !ok {
			if p != (Params{}) || resp != "" {
				t.Fatalf("declined with %+v, %q", p, resp)
			}
			return
		}
		got, ok, err := ParseResponse([]string{resp}, Config{ContextTakeover: true})
		if err != nil || !ok || got != p {
			t.Fatalf("Accept(%q) = %+v, %q; ParseResponse: %+v, %v, %v", value, p, resp, got, ok, err)
		}
	})
}
