package wsdeflate

import (
	"io"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/klauspost/compress/flate"
)

// retained returns the heap bytes that each of n values made by mk keeps
// alive, once garbage collection has emptied the sync.Pools (which takes
// two cycles).
func retained(n int, mk func() any) int {
	keep := make([]any, n)
	runtime.GC()
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := range keep {
		keep[i] = mk()
	}
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(keep)
	return int(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / n
}

// TestWriterSize measures what the package doc says of flate:
// a writer is hundreds of KiB whatever its level, a reader tens.
func TestWriterSize(t *testing.T) {
	for _, level := range []int{flate.HuffmanOnly, flate.BestSpeed, 6, flate.BestCompression} {
		size := retained(8, func() any {
			w, _ := flate.NewWriter(io.Discard, level)
			return w
		})
		t.Logf("flate.Writer of level %d: %d KiB", level, size>>10)
		if size < 256<<10 {
			t.Errorf("flate.Writer of level %d is %d bytes; the package doc says more", level, size)
		}
	}
	size := retained(8, func() any { return flate.NewReader(nil) })
	t.Logf("flate reader: %d KiB", size>>10)
	if size > 64<<10 {
		t.Errorf("flate reader is %d bytes; the package doc says less", size)
	}
}

// TestIdleMemory measures what an idle connection keeps, a Compressor and
// a Decompressor that have each handled a 4 KiB message, in each mode.
func TestIdleMemory(t *testing.T) {
	msg := jsonMessage(rand.New(rand.NewPCG(1, 2)), 4096)
	tests := []struct {
		name string
		p    Params
		cfg  Config
		max  int
	}{
		{"no takeover (default)", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{}, 512},
		{"client takeover only", Params{ServerNoContextTakeover: true}, Config{}, 512 + 4096 + 256},
		{"client takeover, window 10", Params{ServerNoContextTakeover: true, ClientMaxWindowBits: 10}, Config{}, 512 + 1024},
		{"takeover both ways", Params{}, Config{ContextTakeover: true}, 2 << 20},
		{"takeover, our window 9", Params{ServerMaxWindowBits: 9}, Config{ContextTakeover: true}, 512 + 4096 + 256},
	}
	for _, tt := range tests {
		peer := NewCompressor(tt.p, false, Config{ContextTakeover: true})
		payload := peer.Compress(nil, msg)
		peer.Close()
		size := retained(64, func() any {
			c := NewCompressor(tt.p, true, tt.cfg)
			c.Compress(nil, msg)
			d := NewDecompressor(tt.p, true)
			if _, err := d.Decompress(nil, payload, 0); err != nil {
				t.Fatal(err)
			}
			return [2]any{c, d}
		})
		t.Logf("%s: %d bytes per idle connection", tt.name, size)
		if size > tt.max {
			t.Errorf("%s: %d bytes per idle connection, want at most %d", tt.name, size, tt.max)
		}
	}
}
