package wsframe

import "unicode/utf8"

// UTF8Validator checks that a text message is UTF-8 while its fragments
// arrive, failing as soon as the bytes so far cannot begin valid UTF-8 (a
// peer sending invalid text is failed without waiting for the message to
// end). The zero value is ready for a new message.
type UTF8Validator struct {
	need   uint8 // continuation bytes still expected in the current code point
	lo, hi byte  // range of the next continuation byte
	failed bool
}

// Write feeds the next bytes of the message and reports whether all bytes
// so far are a prefix of valid UTF-8. Once it returns false it always does.
func (v *UTF8Validator) Write(p []byte) bool {
	if v.failed {
		return false
	}
	for i := 0; i < len(p); {
		if v.need == 0 {
			// Fast path: between code points, let the standard library
			// check the run of whole code points, up to the start of a
			// sequence that p may cut short.
			j := completePrefix(p[i:])
			if j > 0 {
				if !utf8.Valid(p[i : i+j]) {
					v.failed = true
					return false
				}
				i += j
				continue
			}
			if !v.lead(p[i]) {
				v.failed = true
				return false
			}
			i++
			continue
		}
		b := p[i]
		if b < v.lo || b > v.hi {
			v.failed = true
			return false
		}
		v.need--
		v.lo, v.hi = 0x80, 0xbf
		i++
	}
	return true
}

// Done reports whether the bytes written are valid UTF-8 that ends on a
// whole code point, as a finished text message must.
func (v *UTF8Validator) Done() bool { return !v.failed && v.need == 0 }

// Reset readies v for a new message.
func (v *UTF8Validator) Reset() { *v = UTF8Validator{} }

// lead starts a code point at lead byte b, reporting whether b can start
// one. The ranges are those of the Unicode standard's table of well-formed
// byte sequences, which exclude overlong forms, surrogates and code points
// above U+10FFFF.
func (v *UTF8Validator) lead(b byte) bool {
	v.lo, v.hi = 0x80, 0xbf
	switch {
	case b < 0x80:
		return true
	case b >= 0xc2 && b <= 0xdf:
		v.need = 1
	case b == 0xe0:
		v.need, v.lo = 2, 0xa0
	case b == 0xed:
		v.need, v.hi = 2, 0x9f
	case b >= 0xe1 && b <= 0xef:
		v.need = 2
	case b == 0xf0:
		v.need, v.lo = 3, 0x90
	case b >= 0xf1 && b <= 0xf3:
		v.need = 3
	case b == 0xf4:
		v.need, v.hi = 3, 0x8f
	default:
		return false
	}
	return true
}

// completePrefix returns the length of p without a trailing multi-byte
// sequence that might continue past the end of p, so that p[:n] can be
// checked whole. It looks back at most utf8.UTFMax-1 bytes.
func completePrefix(p []byte) int {
	n := len(p)
	for k := 1; k < utf8.UTFMax && k <= n; k++ {
		b := p[n-k]
		if b < 0x80 {
			return n
		}
		if b >= 0xc0 {
			// A lead byte; its sequence is whole if k bytes complete it.
			size := 2
			if b >= 0xe0 {
				size = 3
			}
			if b >= 0xf0 {
				size = 4
			}
			if k >= size {
				return n
			}
			return n - k
		}
	}
	return n
}
