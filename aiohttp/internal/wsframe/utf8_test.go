package wsframe

import (
	"testing"
	"unicode/utf8"
)

// TestUTF8ValidatorRules follows the cases of Autobahn's section 6: each
// input is fed whole and split at every byte boundary (as fragments), and
// failIndex is the number of bytes after which the validator must already
// have failed (-1 for valid prefixes).
func TestUTF8ValidatorRules(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		done      bool // whole input is valid UTF-8
		failIndex int  // shortest prefix that fails, -1 if none
	}{
		{"empty", "", true, -1},
		{"ASCII", "Hello-µ@ßöäüàá-UTF-8!!", true, -1},
		{"Greek kosme", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", true, -1},
		{"long ASCII", "abcdefghijklmnopqrstuvwxyz0123456789", true, -1},
		{"U+0080", "\xc2\x80", true, -1},
		{"U+07FF", "\xdf\xbf", true, -1},
		{"U+0800", "\xe0\xa0\x80", true, -1},
		{"U+FFFF", "\xef\xbf\xbf", true, -1},
		{"U+10000", "\xf0\x90\x80\x80", true, -1},
		{"U+10FFFF", "\xf4\x8f\xbf\xbf", true, -1},
		{"U+D7FF", "\xed\x9f\xbf", true, -1},
		{"U+E000", "\xee\x80\x80", true, -1},
		{"U+FFFE noncharacter is valid", "\xef\xbf\xbe", true, -1},
		{"truncated 2-byte", "\xc2", false, -1},
		{"truncated 3-byte", "\xe0\xa0", false, -1},
		{"truncated 4-byte", "\xf0\x90\x80", false, -1},
		{"text then truncated", "abc\xce", false, -1},
		{"lone continuation", "\x80", false, 1},
		{"continuation after ASCII", "ab\xbf", false, 3},
		{"kosme then bad byte", "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5\xed\xa0\x80edited", false, 13},
		{"C0 overlong lead", "\xc0\x80", false, 1},
		{"C1 overlong lead", "\xc1\xbf", false, 1},
		{"overlong 3-byte", "\xe0\x80\xaf", false, 2},
		{"overlong 3-byte NUL", "\xe0\x9f\xbf", false, 2},
		{"overlong 4-byte", "\xf0\x80\x80\xaf", false, 2},
		{"overlong 4-byte max", "\xf0\x8f\xbf\xbf", false, 2},
		{"surrogate D800", "\xed\xa0\x80", false, 2},
		{"surrogate DBFF", "\xed\xaf\xbf", false, 2},
		{"surrogate DC00", "\xed\xb0\x80", false, 2},
		{"surrogate DFFF", "\xed\xbf\xbf", false, 2},
		{"surrogate pair", "\xed\xa0\x80\xed\xb0\x80", false, 2},
		{"U+110000", "\xf4\x90\x80\x80", false, 2},
		{"F5 lead", "\xf5\x80\x80\x80", false, 1},
		{"F8 5-byte lead", "\xf8\x88\x80\x80\x80", false, 1},
		{"FC 6-byte lead", "\xfc\x84\x80\x80\x80\x80", false, 1},
		{"FE", "\xfe", false, 1},
		{"FF", "\xff", false, 1},
		{"2-byte lead then ASCII", "\xc2A", false, 2},
		{"3-byte cut by ASCII", "\xe1\x80A", false, 3},
		{"4-byte cut by lead", "\xf1\x80\x80\xc2\x80", false, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := []byte(tt.in)
			if utf8.Valid(in) != tt.done {
				t.Fatalf("test table: utf8.Valid disagrees on %q", tt.in)
			}
			// Byte by byte: the validator fails exactly at failIndex.
			var v UTF8Validator
			for i := range in {
				ok := v.Write(in[i : i+1])
				wantOK := tt.failIndex < 0 || i+1 < tt.failIndex
				if ok != wantOK {
					t.Fatalf("after %d bytes: Write = %v, want %v", i+1, ok, wantOK)
				}
			}
			if v.Done() != tt.done {
				t.Errorf("byte by byte: Done = %v, want %v", v.Done(), tt.done)
			}
			// Two pieces, cut at every boundary.
			for cut := 0; cut <= len(in); cut++ {
				var v UTF8Validator
				v.Write(in[:cut])
				ok := v.Write(in[cut:])
				if wantOK := tt.failIndex < 0; ok != wantOK {
					t.Errorf("cut at %d: Write = %v, want %v", cut, ok, wantOK)
				}
				if v.Done() != tt.done {
					t.Errorf("cut at %d: Done = %v, want %v", cut, v.Done(), tt.done)
				}
			}
		})
	}
}

func TestUTF8ValidatorStaysFailed(t *testing.T) {
	var v UTF8Validator
	if v.Write([]byte("\xff")) {
		t.Fatal("Write(0xff) = true")
	}
	if v.Write([]byte("abc")) || v.Done() {
		t.Error("validator recovered after a failure")
	}
	v.Reset()
	if !v.Write([]byte("abc")) || !v.Done() {
		t.Error("Reset did not ready the validator for a new message")
	}
}
