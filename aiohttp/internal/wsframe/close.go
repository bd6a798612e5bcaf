package wsframe

import (
	"encoding/binary"
	"unicode/utf8"
)

// ValidCloseCode reports whether code may be sent in a close frame: the
// codes RFC 6455 section 7.4.1 defines for the wire (1000-1003, 1007-1011),
// the IANA-registered 1012-1014 (service restart, try again later, bad
// gateway) that browsers and common implementations accept, and the
// private-use and library ranges 3000-4999. 1004, 1005, 1006 and 1015 are
// reserved and never sent, and the rest of 0-2999 is unassigned.
//
// This matches the Autobahn test suite, whose case 7.7 expects 1000-1003,
// 1007-1011 and 3000-4999 to be accepted and case 7.9 expects 0, 999,
// 1004-1006, 1016, 1100, 2000 and 2999 to be refused (it no longer tests
// 1012-1014), and it matches gorilla/websocket and Python's websockets,
// which accept 1012-1014 as well.
func ValidCloseCode(code int) bool {
	switch {
	case code >= 1000 && code <= 1003:
		return true
	case code >= 1007 && code <= 1014:
		return true
	case code >= 3000 && code <= 4999:
		return true
	}
	return false
}

// ParseClosePayload parses the payload of a close frame (RFC 6455 section
// 5.5.1). An empty payload has no code: it returns CloseNoStatus. Otherwise
// the code must be valid (ValidCloseCode) and the reason UTF-8; a payload
// of one byte is invalid. Errors are *ProtocolError: a bad reason is
// answered with CloseInvalidPayload, which Autobahn case 7.5.1 accepts
// alongside CloseProtocolError.
func ParseClosePayload(p []byte) (code int, reason string, err error) {
	switch len(p) {
	case 0:
		return CloseNoStatus, "", nil
	case 1:
		return 0, "", ErrCloseLength
	}
	code = int(binary.BigEndian.Uint16(p))
	if !ValidCloseCode(code) {
		return 0, "", ErrCloseCode
	}
	if !utf8.Valid(p[2:]) {
		return 0, "", ErrInvalidUTF8
	}
	return code, string(p[2:]), nil
}

// AppendClosePayload appends the payload of a close frame with code and
// reason to dst and returns the extended slice. For CloseNoStatus it
// appends nothing, as that code stands for a close frame without one. The
// caller keeps the reason within MaxControlPayload-2 bytes of UTF-8.
func AppendClosePayload(dst []byte, code int, reason string) []byte {
	if code == CloseNoStatus {
		return dst
	}
	dst = binary.BigEndian.AppendUint16(dst, uint16(code))
	return append(dst, reason...)
}
