package wsframe

import "testing"

func BenchmarkMask(b *testing.B) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	p := make([]byte, 4096)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		Mask(key, 1, p)
	}
}

// BenchmarkMaskBytewise is the byte-at-a-time definition, for comparison
// with BenchmarkMask.
func BenchmarkMaskBytewise(b *testing.B) {
	key := [4]byte{0x37, 0xfa, 0x21, 0x3d}
	p := make([]byte, 4096)
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		maskSlow(key, 1, p)
	}
}

func BenchmarkParseHeader(b *testing.B) {
	buf := AppendHeader(nil, Header{Fin: true, Opcode: Binary, Masked: true, MaskKey: [4]byte{1, 2, 3, 4}, Length: 4096})
	for b.Loop() {
		if _, _, err := ParseHeader(buf, Limits{MaxPayload: 1 << 20}, Server); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUTF8Validator(b *testing.B) {
	p := []byte("The quick brown fox jumps over the lazy dog; \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5. ")
	for len(p) < 4096 {
		p = append(p, p...)
	}
	b.SetBytes(int64(len(p)))
	for b.Loop() {
		var v UTF8Validator
		if !v.Write(p[:1000]) || !v.Write(p[1000:]) || !v.Done() {
			b.Fatal("invalid")
		}
	}
}
