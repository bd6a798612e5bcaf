package wsframe

import (
	"errors"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// FuzzParseHeader checks that ParseHeader never panics, that what it
// accepts obeys the rules it enforces, and that AppendHeader writes a
// header that parses back to the same Header.
func FuzzParseHeader(f *testing.F) {
	f.Add([]byte("\x81\x85\x01\x02\x03\x04hello"), uint8(0), false, int64(0))
	f.Add([]byte("\x82\x7e\x01\x00"), uint8(1), true, int64(100))
	f.Add([]byte("\x82\x7f\x00\x00\x00\x01\x00\x00\x00\x00"), uint8(1), false, int64(0))
	f.Add([]byte("\x89\x7e\x00\x7e"), uint8(1), false, int64(0))
	f.Fuzz(func(t *testing.T, buf []byte, roleBit uint8, rsv1 bool, max int64) {
		role := Role(roleBit & 1)
		lim := Limits{MaxPayload: max, AllowRSV1: rsv1}
		h, n, err := ParseHeader(buf, lim, role)
		if err != nil {
			var pe *ProtocolError
			if err != ErrIncomplete && !errors.As(err, &pe) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if h != (Header{}) || n != 0 {
				t.Fatalf("error %v with header %+v, n %d", err, h, n)
			}
			return
		}
		if n < 2 || n > MaxHeaderLen || n > len(buf) {
			t.Fatalf("n = %d for a buffer of %d", n, len(buf))
		}
		if h.Length < 0 || (max > 0 && h.Length > max) {
			t.Fatalf("length %d accepted with max %d", h.Length, max)
		}
		if h.Opcode.IsControl() && (!h.Fin || h.Length > MaxControlPayload) {
			t.Fatalf("bad control frame accepted: %+v", h)
		}
		if h.Masked != (role == Server) {
			t.Fatalf("masking rule broken for role %d: %+v", role, h)
		}
		out := AppendHeader(nil, h)
		if len(out) > n {
			t.Fatalf("re-encoded header is %d bytes, longer than the %d parsed", len(out), n)
		}
		h2, n2, err := ParseHeader(out, lim, role)
		if err != nil || h2 != h || n2 != len(out) {
			t.Fatalf("round trip: %+v -> %x -> %+v, %d, %v", h, out, h2, n2, err)
		}
	})
}

// FuzzUTF8Validator feeds its input in pieces at pseudo-random cut points
// and checks the answer against utf8.Valid on the whole.
func FuzzUTF8Validator(f *testing.F) {
	f.Add([]byte("hello"), uint64(1))
	f.Add([]byte("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"), uint64(2))
	f.Add([]byte("\xed\xa0\x80"), uint64(3))
	f.Add([]byte("\xf4\x90\x80\x80"), uint64(4))
	f.Add([]byte("\xf0\x9f\x98\x80abc\xe0\xa0"), uint64(5))
	f.Fuzz(func(t *testing.T, in []byte, seed uint64) {
		r := rand.New(rand.NewPCG(seed, seed>>1))
		var v UTF8Validator
		ok := true
		for rest := in; len(rest) > 0; {
			k := r.IntN(len(rest) + 1)
			if !v.Write(rest[:k]) {
				ok = false
				// A failure must be final: no valid UTF-8 starts like this.
				if utf8.Valid(in) {
					t.Fatalf("failed on valid input %q", in)
				}
			}
			rest = rest[k:]
		}
		if got, want := ok && v.Done(), utf8.Valid(in); got != want {
			t.Fatalf("validator says %v, utf8.Valid says %v for %q", got, want, in)
		}
		if !ok && v.Done() {
			t.Fatal("Done after a failed Write")
		}
		// Failing fast: if some prefix is no prefix of valid UTF-8, the
		// validator must have failed; check with a byte-by-byte run.
		var w UTF8Validator
		for i := range in {
			if !w.Write(in[i : i+1]) {
				if validPrefix(in[:i+1]) {
					t.Fatalf("failed after %d bytes of %q, which can still be completed", i+1, in)
				}
				break
			}
			if !validPrefix(in[:i+1]) {
				t.Fatalf("did not fail after %d bytes of %q", i+1, in)
			}
		}
	})
}

// validPrefix reports whether p is the start of some valid UTF-8: valid
// once its last, possibly incomplete, sequence is completed.
func validPrefix(p []byte) bool {
	for cut := len(p); cut >= 0 && cut >= len(p)-utf8.UTFMax; cut-- {
		if !utf8.Valid(p[:cut]) {
			continue
		}
		tail := p[cut:]
		if len(tail) == 0 {
			return true
		}
		if len(tail) >= utf8.UTFMax {
			return false
		}
		// Try completing the tail with continuation bytes.
		for _, c := range completions {
			q := append(append([]byte{}, tail...), c[:utf8.UTFMax-len(tail)]...)
			for k := len(tail); k <= len(q); k++ {
				if utf8.FullRune(q[:k]) {
					if r, size := utf8.DecodeRune(q[:k]); r != utf8.RuneError || size > 1 {
						if size == k {
							return true
						}
					}
					break
				}
			}
		}
		return false
	}
	return false
}

// completions are continuation runs covering the bounds of every second
// byte range of well-formed UTF-8.
var completions = [][]byte{
	{0x80, 0x80, 0x80}, {0x8f, 0x80, 0x80}, {0x90, 0x80, 0x80},
	{0x9f, 0x80, 0x80}, {0xa0, 0x80, 0x80}, {0xbf, 0x80, 0x80},
}
