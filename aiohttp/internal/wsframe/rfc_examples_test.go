package wsframe

import (
	"bytes"
	"testing"
)

// TestRFC6455Examples parses the example frames of RFC 6455 section 5.7,
// unmasks their payloads and writes them back byte for byte.
func TestRFC6455Examples(t *testing.T) {
	tests := []struct {
		name    string
		frame   string // hex
		role    Role
		op      Opcode
		fin     bool
		payload string
	}{
		{"unmasked text", "81 05 48 65 6c 6c 6f", Client, Text, true, "Hello"},
		{"masked text", "81 85 37 fa 21 3d 7f 9f 4d 51 58", Server, Text, true, "Hello"},
		{"first fragment", "01 03 48 65 6c", Client, Text, false, "Hel"},
		{"last fragment", "80 02 6c 6f", Client, Continuation, true, "lo"},
		{"unmasked ping", "89 05 48 65 6c 6c 6f", Client, Ping, true, "Hello"},
		{"masked pong", "8a 85 37 fa 21 3d 7f 9f 4d 51 58", Server, Pong, true, "Hello"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frame := unhex(t, tt.frame)
			h, n, err := ParseHeader(frame, Limits{}, tt.role)
			if err != nil {
				t.Fatal(err)
			}
			if h.Opcode != tt.op || h.Fin != tt.fin || int(h.Length) != len(frame)-n {
				t.Fatalf("header %+v, n %d", h, n)
			}
			payload := bytes.Clone(frame[n:])
			if h.Masked {
				Mask(h.MaskKey, 0, payload)
			}
			if string(payload) != tt.payload {
				t.Errorf("payload %q, want %q", payload, tt.payload)
			}
			out := AppendHeader(nil, h)
			if h.Masked {
				Mask(h.MaskKey, 0, payload)
			}
			if out = append(out, payload...); !bytes.Equal(out, frame) {
				t.Errorf("written back as %x, want %x", out, frame)
			}
		})
	}
	// The two length examples: 256 bytes and 64 KiB of unmasked binary.
	for _, tt := range []struct {
		head   string
		length int64
	}{{"82 7e 01 00", 256}, {"82 7f 00 00 00 00 00 01 00 00", 65536}} {
		want := unhex(t, tt.head)
		if got := AppendHeader(nil, Header{Fin: true, Opcode: Binary, Length: tt.length}); !bytes.Equal(got, want) {
			t.Errorf("header for %d bytes: %x, want %x", tt.length, got, want)
		}
	}
}
