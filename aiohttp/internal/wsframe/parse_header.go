package wsframe

import "encoding/binary"

// ParseHeader parses the frame header at the start of buf, which the peer
// of role sent, and returns it with its length in bytes (2 to 14). The
// payload follows in buf[n:] or in bytes still to be read.
//
// It returns ErrIncomplete when buf ends before the header does; rules that
// the first two bytes already break are reported as soon as those bytes are
// there, so a bad frame is refused without waiting for more. Any other error
// is a *ProtocolError and final.
//
// Lengths need not use the minimal encoding: RFC 6455 section 5.2 requires
// it of the sender, but gives the receiver no rule, and common
// implementations (gorilla/websocket, Python's websockets) accept a longer
// one, so this does too.
func ParseHeader(buf []byte, lim Limits, role Role) (h Header, n int, err error) {
	if len(buf) < 2 {
		return Header{}, 0, ErrIncomplete
	}
	b0, b1 := buf[0], buf[1]
	h.Fin = b0&0x80 != 0
	h.RSV1 = b0&0x40 != 0
	h.RSV2 = b0&0x20 != 0
	h.RSV3 = b0&0x10 != 0
	h.Opcode = Opcode(b0 & 0x0f)
	h.Masked = b1&0x80 != 0
	len7 := b1 & 0x7f

	if h.Opcode.isReserved() {
		return Header{}, 0, ErrReservedOpcode
	}
	// permessage-deflate marks the first frame of a compressed data
	// message; on control and continuation frames RSV1 stays reserved
	// (RFC 7692 section 6).
	rsv1OK := lim.AllowRSV1 && (h.Opcode == Text || h.Opcode == Binary)
	if h.RSV2 || h.RSV3 || (h.RSV1 && !rsv1OK) {
		return Header{}, 0, ErrReservedBits
	}
	if h.Opcode.IsControl() {
		if !h.Fin {
			return Header{}, 0, ErrFragmentedControl
		}
		if len7 > MaxControlPayload {
			return Header{}, 0, ErrControlTooLong
		}
	}
	switch {
	case role == Server && !h.Masked:
		return Header{}, 0, ErrUnmasked
	case role == Client && h.Masked:
		return Header{}, 0, ErrMasked
	}

	n = 2
	switch len7 {
	case 126:
		if len(buf) < n+2 {
			return Header{}, 0, ErrIncomplete
		}
		h.Length = int64(binary.BigEndian.Uint16(buf[n:]))
		n += 2
	case 127:
		if len(buf) < n+8 {
			return Header{}, 0, ErrIncomplete
		}
		l := binary.BigEndian.Uint64(buf[n:])
		if l>>63 != 0 {
			return Header{}, 0, ErrLengthOverflow
		}
		h.Length = int64(l)
		n += 8
	default:
		h.Length = int64(len7)
	}
	if lim.MaxPayload > 0 && h.Length > lim.MaxPayload {
		return Header{}, 0, ErrTooBig
	}
	if h.Masked {
		if len(buf) < n+4 {
			return Header{}, 0, ErrIncomplete
		}
		copy(h.MaskKey[:], buf[n:n+4])
		n += 4
	}
	return h, n, nil
}
