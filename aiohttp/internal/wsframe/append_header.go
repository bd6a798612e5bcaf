package wsframe

import "encoding/binary"

// AppendHeader appends the wire form of h to dst and returns the extended
// slice. The length uses the minimal encoding, and the mask key is written
// only if h.Masked. It does not check h against the protocol's rules (a
// caller builds its own frames). It panics if h.Length is negative.
func AppendHeader(dst []byte, h Header) []byte {
	b0 := byte(h.Opcode & 0x0f)
	if h.Fin {
		b0 |= 0x80
	}
	if h.RSV1 {
		b0 |= 0x40
	}
	if h.RSV2 {
		b0 |= 0x20
	}
	if h.RSV3 {
		b0 |= 0x10
	}
	var b1 byte
	if h.Masked {
		b1 = 0x80
	}
	switch {
	case h.Length < 0:
		panic("wsframe: negative payload length")
	case h.Length <= 125:
		dst = append(dst, b0, b1|byte(h.Length))
	case h.Length <= 0xffff:
		dst = append(dst, b0, b1|126)
		dst = binary.BigEndian.AppendUint16(dst, uint16(h.Length))
	default:
		dst = append(dst, b0, b1|127)
		dst = binary.BigEndian.AppendUint64(dst, uint64(h.Length))
	}
	if h.Masked {
		dst = append(dst, h.MaskKey[:]...)
	}
	return dst
}
