package wsframe

import "encoding/binary"

// Mask XORs p in place with the mask key (RFC 6455 section 5.3), masking or
// unmasking it alike. pos is the offset of p[0] in the payload, so a payload
// that arrives in several pieces is unmasked piece by piece: Mask returns
// the position after p, to pass with the next piece.
func Mask(key [4]byte, pos int, p []byte) int {
	// Rotate the key so that k[0] applies to p[0].
	var k [4]byte
	for i := range k {
		k[i] = key[(pos+i)&3]
	}
	i := 0
	if len(p) >= 8 {
		k32 := uint64(binary.LittleEndian.Uint32(k[:]))
		k64 := k32 | k32<<32
		for ; len(p)-i >= 32; i += 32 {
			q := p[i : i+32]
			binary.LittleEndian.PutUint64(q, binary.LittleEndian.Uint64(q)^k64)
			binary.LittleEndian.PutUint64(q[8:], binary.LittleEndian.Uint64(q[8:])^k64)
			binary.LittleEndian.PutUint64(q[16:], binary.LittleEndian.Uint64(q[16:])^k64)
			binary.LittleEndian.PutUint64(q[24:], binary.LittleEndian.Uint64(q[24:])^k64)
		}
		for ; len(p)-i >= 8; i += 8 {
			q := p[i : i+8]
			binary.LittleEndian.PutUint64(q, binary.LittleEndian.Uint64(q)^k64)
		}
	}
	// i is a multiple of 8, so k stays aligned with p.
	for ; i < len(p); i++ {
		p[i] ^= k[i&3]
	}
	return pos + len(p)
}
