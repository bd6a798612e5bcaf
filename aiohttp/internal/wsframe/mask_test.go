package wsframe

import (
	"bytes"
	"testing"
)

// maskSlow is the definition of RFC 6455 section 5.3.
func maskSlow(key [4]byte, pos int, p []byte) {
	for i := range p {
		p[i] ^= key[(pos+i)%4]
	}
}

func TestMaskPieces(t *testing.T) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	payload := make([]byte, 200)
	for i := range payload {
		payload[i] = byte(i * 7)
	}
	want := bytes.Clone(payload)
	maskSlow(key, 0, want)

	tests := []struct {
		name string
		cuts []int // piece boundaries
	}{
		{"whole", nil},
		{"empty pieces", []int{0, 0, 5, 5}},
		{"one byte then rest", []int{1}},
		{"unaligned pieces", []int{3, 10, 17, 50, 51, 131}},
		{"pieces of 8", []int{8, 16, 24, 32}},
		{"pieces of 33", []int{33, 66, 99, 132, 165, 198}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := bytes.Clone(payload)
			pos, start := 0, 0
			for _, c := range append(tt.cuts, len(got)) {
				pos = Mask(key, pos, got[start:c])
				start = c
			}
			if pos != len(got) {
				t.Errorf("final pos = %d, want %d", pos, len(got))
			}
			if !bytes.Equal(got, want) {
				t.Errorf("masked = %x\nwant     %x", got, want)
			}
		})
	}
}

// TestMaskAgainstDefinition compares every length and starting position up
// to a few words with the byte-by-byte definition, and checks that masking
// twice restores the payload.
func TestMaskAgainstDefinition(t *testing.T) {
	key := [4]byte{1, 0x80, 0xff, 0x5a}
	for n := 0; n <= 70; n++ {
		for pos := 0; pos < 8; pos++ {
			p := make([]byte, n)
			for i := range p {
				p[i] = byte(i + n)
			}
			orig := bytes.Clone(p)
			want := bytes.Clone(p)
			maskSlow(key, pos, want)
			if got := Mask(key, pos, p); got != pos+n {
				t.Fatalf("n %d pos %d: Mask returned %d", n, pos, got)
			}
			if !bytes.Equal(p, want) {
				t.Fatalf("n %d pos %d: got %x want %x", n, pos, p, want)
			}
			Mask(key, pos, p)
			if !bytes.Equal(p, orig) {
				t.Fatalf("n %d pos %d: masking twice did not restore", n, pos)
			}
		}
	}
}
