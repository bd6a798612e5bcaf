package wsframe

import (
	"errors"
	"testing"
)

func TestClosePayloadRules(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		code   int
		reason string
		err    error
	}{
		{name: "empty", in: nil, code: CloseNoStatus},
		{name: "one byte", in: []byte{0x03}, err: ErrCloseLength},
		{name: "1000 no reason", in: []byte{0x03, 0xe8}, code: 1000},
		{name: "1000 with reason", in: []byte("\x03\xe8bye"), code: 1000, reason: "bye"},
		{name: "UTF-8 reason", in: []byte("\x03\xe9\xce\xba\xe1\xbd\xb9"), code: 1001, reason: "\xce\xba\xe1\xbd\xb9"},
		{name: "invalid UTF-8 reason", in: []byte("\x03\xe8\xce"), err: ErrInvalidUTF8},
		{name: "Autobahn 7.5.1 reason", in: []byte("\x03\xe8\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited"), err: ErrInvalidUTF8},
		{name: "surrogate in reason", in: []byte("\x03\xe8\xed\xa0\x80"), err: ErrInvalidUTF8},
	}
	valid := []int{1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 3999, 4000, 4999}
	invalid := []int{0, 999, 1004, 1005, 1006, 1015, 1016, 1100, 2000, 2999, 5000, 65535}
	for _, c := range valid {
		tests = append(tests, struct {
			name   string
			in     []byte
			code   int
			reason string
			err    error
		}{name: "valid code", in: []byte{byte(c >> 8), byte(c)}, code: c})
	}
	for _, c := range invalid {
		tests = append(tests, struct {
			name   string
			in     []byte
			code   int
			reason string
			err    error
		}{name: "invalid code", in: []byte{byte(c >> 8), byte(c)}, err: ErrCloseCode})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, reason, err := ParseClosePayload(tt.in)
			if !errors.Is(err, tt.err) || code != tt.code || reason != tt.reason {
				t.Errorf("ParseClosePayload(%x) = %d, %q, %v; want %d, %q, %v",
					tt.in, code, reason, err, tt.code, tt.reason, tt.err)
			}
		})
	}
}

func TestClosePayloadCloseCodes(t *testing.T) {
	_, _, err := ParseClosePayload([]byte("\x03\xe8\xff"))
	if got := CloseCode(err); got != CloseInvalidPayload {
		t.Errorf("bad UTF-8 reason: CloseCode = %d, want %d", got, CloseInvalidPayload)
	}
	_, _, err = ParseClosePayload([]byte{0x03, 0xed})
	if got := CloseCode(err); got != CloseProtocolError {
		t.Errorf("code 1005: CloseCode = %d, want %d", got, CloseProtocolError)
	}
}

func TestClosePayloadRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		code   int
		reason string
	}{{1000, ""}, {1001, "going away"}, {4999, "κόσμε"}, {CloseNoStatus, ""}} {
		p := AppendClosePayload(nil, tt.code, tt.reason)
		code, reason, err := ParseClosePayload(p)
		if err != nil || code != tt.code || reason != tt.reason {
			t.Errorf("round trip of %d %q: got %d %q %v", tt.code, tt.reason, code, reason, err)
		}
	}
}
