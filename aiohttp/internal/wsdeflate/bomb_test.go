package wsdeflate

import (
	"bytes"
	"errors"
	"runtime"
	"testing"

	"github.com/klauspost/compress/flate"
)

// bomb returns a payload that inflates to mib MiB of zeros: a first
// chunk of 1 MiB, then one chunk, repeated, that inflates to 1 MiB more
// of zeros after any history of zeros. Deflate cannot beat about 1030:1,
// so a 1 GiB bomb is about 1 MiB of payload; what Decompress must not do
// is inflate it past the limit.
func bomb(t testing.TB, mib int) []byte {
	var buf bytes.Buffer
	w, err := flate.NewWriter(&buf, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	zeros := make([]byte, 1<<20)
	w.Write(zeros)
	w.Flush()
	first := len(buf.Bytes())
	w.Write(zeros)
	w.Flush()
	out := buf.Bytes()
	chunk := out[first:]
	payload := append([]byte{}, out[:first]...)
	for range mib - 1 {
		payload = append(payload, chunk...)
	}
	return payload[:len(payload)-4]
}

func TestBombBuilder(t *testing.T) {
	d := NewDecompressor(Params{}, false)
	defer d.Close()
	out, err := d.Decompress(nil, bomb(t, 3), 0)
	if err != nil || len(out) != 3<<20 || bytes.ContainsFunc(out, func(r rune) bool { return r != 0 }) {
		t.Fatalf("3 MiB bomb: %d bytes, %v", len(out), err)
	}
}

// TestBomb inflates a 1 GiB bomb with a 1 MiB limit and checks that
// Decompress stops with ErrTooLarge having allocated a small multiple of
// the limit, nowhere near the bomb.
func TestBomb(t *testing.T) {
	payload := bomb(t, 1024)
	t.Logf("a 1 GiB bomb is %d bytes of payload", len(payload))
	const limit = 1 << 20
	for _, takeover := range []bool{false, true} {
		d := NewDecompressor(Params{ServerNoContextTakeover: !takeover}, false)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		out, err := d.Decompress(nil, payload, limit)
		runtime.ReadMemStats(&after)
		d.Close()
		if !errors.Is(err, ErrTooLarge) || len(out) != limit {
			t.Fatalf("takeover %v: %d bytes, %v; want %d and ErrTooLarge", takeover, len(out), err, limit)
		}
		if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 5*limit/2 {
			t.Fatalf("takeover %v: allocated %d bytes for a limit of %d", takeover, alloc, limit)
		} else {
			t.Logf("takeover %v: allocated %d bytes", takeover, alloc)
		}
	}
}
