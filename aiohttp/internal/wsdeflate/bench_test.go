package wsdeflate

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchMessages are distinct JSON-like messages of about size bytes: a
// benchmark cycles through them, so that takeover sees related but not
// identical messages.
func benchMessages(size int) [][]byte {
	r := rand.New(rand.NewPCG(uint64(size), 1))
	msgs := make([][]byte, 256)
	for i := range msgs {
		msgs[i] = jsonMessage(r, size)
	}
	return msgs
}

var benchModes = []struct {
	name string
	p    Params
	cfg  Config
}{
	{"takeover", Params{}, Config{ContextTakeover: true}},
	{"no-takeover", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{}},
	{"no-takeover-level6", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{Level: 6}},
}

func BenchmarkCompress(b *testing.B) {
	for _, size := range []int{64, 4096} {
		msgs := benchMessages(size)
		for _, m := range benchModes {
			b.Run(fmt.Sprintf("%dB/%s", size, m.name), func(b *testing.B) {
				c := NewCompressor(m.p, true, m.cfg)
				defer c.Close()
				var out []byte
				var in, compressed int
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					msg := msgs[i%len(msgs)]
					out = c.Compress(out[:0], msg)
					in += len(msg)
					compressed += len(out)
				}
				b.SetBytes(int64(size))
				b.ReportMetric(float64(compressed)/float64(in), "ratio")
			})
		}
	}
}

func BenchmarkDecompress(b *testing.B) {
	for _, size := range []int{64, 4096} {
		msgs := benchMessages(size)
		for _, m := range benchModes[:2] {
			b.Run(fmt.Sprintf("%dB/%s", size, m.name), func(b *testing.B) {
				c := NewCompressor(m.p, true, m.cfg)
				payloads := make([][]byte, len(msgs))
				for i, msg := range msgs {
					payloads[i] = c.Compress(nil, msg)
				}
				c.Close()
				d := NewDecompressor(m.p, false)
				out := make([]byte, 0, size)
				b.ReportAllocs()
				b.SetBytes(int64(size))
				for i := 0; b.Loop(); i++ {
					if i%len(payloads) == 0 {
						// The payloads are one stream: start it again.
						d.Close()
						d = NewDecompressor(m.p, false)
					}
					var err error
					if out, err = d.Decompress(out[:0], payloads[i%len(payloads)], 1<<20); err != nil {
						b.Fatal(err)
					}
				}
				d.Close()
			})
		}
	}
}
