package wsdeflate

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/klauspost/compress/flate"
)

// jsonMessage returns a JSON-like message of about size bytes whose
// content repeats within and across messages, as chat or telemetry does.
func jsonMessage(r *rand.Rand, size int) []byte {
	names := []string{"alice", "bob", "carol", "dave", "eve"}
	var b []byte
	b = append(b, '[')
	for len(b) < size {
		b = fmt.Appendf(b, `{"id":%d,"user":%q,"score":%d,"tags":["x%d","y%d"]},`,
			r.IntN(100000), names[r.IntN(len(names))], r.IntN(1000), r.IntN(10), r.IntN(10))
	}
	b[len(b)-1] = ']'
	return b[:min(len(b), size)]
}

// messages returns n messages of mixed sizes, up to 40 KiB so that some
// outgrow the 32 KiB window, with empty ones and exact repeats among
// them.
func messages(seed uint64, n int) [][]byte {
	r := rand.New(rand.NewPCG(seed, 7))
	var msgs [][]byte
	for i := range n {
		switch {
		case i%17 == 5:
			msgs = append(msgs, nil)
		case i%5 == 4 && i > 0:
			msgs = append(msgs, msgs[i-1])
		case i%11 == 3:
			msgs = append(msgs, jsonMessage(r, 10000+r.IntN(30000)))
		default:
			msgs = append(msgs, jsonMessage(r, 1+r.IntN(2000)))
		}
	}
	return msgs
}

type mode struct {
	name string
	p    Params
	cfg  Config
}

var modes = []mode{
	{"default", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{}},
	{"takeover", Params{}, Config{ContextTakeover: true}},
	{"takeover level 9", Params{}, Config{Level: 9, ContextTakeover: true}},
	{"level 6 no takeover", Params{ServerNoContextTakeover: true, ClientNoContextTakeover: true}, Config{Level: flate.DefaultCompression}},
	{"huffman only", Params{}, Config{Level: flate.HuffmanOnly, ContextTakeover: true}},
	{"window 9", Params{ServerMaxWindowBits: 9, ClientMaxWindowBits: 9}, Config{ContextTakeover: true}},
	{"window 8, peer takeover", Params{ServerMaxWindowBits: 8, ClientMaxWindowBits: 8}, Config{}},
}

func TestRoundTrip(t *testing.T) {
	msgs := messages(1, 120)
	for _, m := range modes {
		for _, server := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/server=%v", m.name, server), func(t *testing.T) {
				c := NewCompressor(m.p, server, m.cfg)
				defer c.Close()
				d := NewDecompressor(m.p, !server)
				defer d.Close()
				var payload, out []byte
				for i, msg := range msgs {
					payload = c.Compress(payload[:0], msg)
					var err error
					out, err = d.Decompress(out[:0], payload, len(msg))
					if err != nil || !bytes.Equal(out, msg) {
						t.Fatalf("message %d (%d bytes): got %d bytes, %v", i, len(msg), len(out), err)
					}
					if len(d.hist) > d.window {
						t.Fatalf("history of %d bytes for a window of %d", len(d.hist), d.window)
					}
				}
			})
		}
	}
}

// TestRoundTripFragments compresses each message in fragments cut at
// random and decompresses the concatenated payloads.
func TestRoundTripFragments(t *testing.T) {
	msgs := messages(2, 60)
	r := rand.New(rand.NewPCG(3, 4))
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			c := NewCompressor(m.p, false, m.cfg)
			defer c.Close()
			d := NewDecompressor(m.p, true)
			defer d.Close()
			for i, msg := range msgs {
				var payload []byte
				for rest := msg; ; {
					k := r.IntN(len(rest) + 1)
					final := k == len(rest) && r.IntN(2) == 0
					payload = c.CompressFragment(payload, rest[:k], final)
					rest = rest[k:]
					if final {
						break
					}
				}
				out, err := d.Decompress(nil, payload, 0)
				if err != nil || !bytes.Equal(out, msg) {
					t.Fatalf("message %d: got %d bytes, %v; want %d", i, len(out), err, len(msg))
				}
			}
		})
	}
}

// TestContextTakeover checks that takeover is used when, and only when,
// both Config and Params allow it: a repeated message then compresses to
// a fraction of its first payload.
func TestContextTakeover(t *testing.T) {
	msg := jsonMessage(rand.New(rand.NewPCG(5, 6)), 3000)
	tests := []struct {
		name     string
		p        Params
		cfg      Config
		takeover bool
	}{
		{"both allow", Params{}, Config{ContextTakeover: true}, true},
		{"config refuses", Params{}, Config{}, false},
		{"params refuse", Params{ServerNoContextTakeover: true}, Config{ContextTakeover: true}, false},
		{"small window", Params{ServerMaxWindowBits: 14}, Config{ContextTakeover: true}, false},
		{"huffman only", Params{}, Config{Level: flate.HuffmanOnly, ContextTakeover: true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCompressor(tt.p, true, tt.cfg)
			defer c.Close()
			first := len(c.Compress(nil, msg))
			second := len(c.Compress(nil, msg))
			if got := second < first/5; got != tt.takeover {
				t.Fatalf("payloads of %d then %d bytes; takeover %v, want %v", first, second, got, tt.takeover)
			}
			if held := c.w != nil; held != tt.takeover {
				t.Fatalf("idle Compressor holds a writer: %v, want %v", held, tt.takeover)
			}
		})
	}
}

// TestDecompressorHistory checks what an idle Decompressor keeps: nothing
// without takeover, the last 2^bits bytes of output with it.
func TestDecompressorHistory(t *testing.T) {
	msg := jsonMessage(rand.New(rand.NewPCG(8, 9)), 5000)
	for _, bits := range []int{8, 10, 15} {
		for _, takeover := range []bool{true, false} {
			p := Params{ClientMaxWindowBits: bits, ClientNoContextTakeover: !takeover}
			c := NewCompressor(Params{}, false, Config{})
			d := NewDecompressor(p, true)
			out, err := d.Decompress(nil, c.Compress(nil, msg), 0)
			c.Close()
			if err != nil {
				t.Fatal(err)
			}
			want := out[max(0, len(out)-1<<bits):]
			if !takeover {
				want = nil
			}
			if !bytes.Equal(d.hist, want) {
				t.Errorf("bits %d, takeover %v: history of %d bytes, want %d", bits, takeover, len(d.hist), len(want))
			}
			d.Close()
		}
	}
}

func TestDecompressLimit(t *testing.T) {
	msg := jsonMessage(rand.New(rand.NewPCG(10, 11)), 100000)
	c := NewCompressor(Params{}, true, Config{})
	defer c.Close()
	payload := c.Compress(nil, msg)
	for _, limit := range []int{1, 999, 40000, 99999, 100000, 100001, 0} {
		d := NewDecompressor(Params{}, false)
		out, err := d.Decompress([]byte("prefix"), payload, limit)
		switch {
		case limit > 0 && limit < len(msg):
			if !errors.Is(err, ErrTooLarge) || len(out) != len("prefix")+limit {
				t.Errorf("limit %d: %d bytes, %v; want %d bytes and ErrTooLarge", limit, len(out), err, len("prefix")+limit)
			}
		case err != nil || !bytes.Equal(out[len("prefix"):], msg):
			t.Errorf("limit %d: %d bytes, %v", limit, len(out), err)
		}
		d.Close()
	}
}

// TestDecompressEmpty checks that an empty payload, and the one byte our
// Compressor sends for an empty message, are empty messages, with or
// without history.
func TestDecompressEmpty(t *testing.T) {
	c := NewCompressor(Params{}, true, Config{ContextTakeover: true})
	defer c.Close()
	d := NewDecompressor(Params{}, false)
	defer d.Close()
	for i, payload := range [][]byte{{}, c.Compress(nil, nil), c.Compress(nil, []byte("abc")), {}, c.Compress(nil, nil)} {
		out, err := d.Decompress(nil, payload, 0)
		if want := map[bool]string{true: "abc", false: ""}[i == 2]; err != nil || string(out) != want {
			t.Fatalf("payload %d (% x): %q, %v; want %q", i, payload, out, err, want)
		}
	}
}

func TestDecompressCorrupt(t *testing.T) {
	c := NewCompressor(Params{}, true, Config{Level: 6})
	defer c.Close()
	good := c.Compress(nil, jsonMessage(rand.New(rand.NewPCG(1, 1)), 2000))
	for name, payload := range map[string][]byte{
		"reserved block type": {0x06},
		"truncated":           good[:len(good)/2],
		"bad stored length":   {0x00, 0x05, 0x00, 0x00, 0x00, 'H'},
		"distance too far":    {0xf2, 0x00, 0x11, 0x00, 0x00},
	} {
		d := NewDecompressor(Params{}, false)
		if _, err := d.Decompress(nil, payload, 0); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
		d.Close()
	}
}

func TestUseAfterClose(t *testing.T) {
	c := NewCompressor(Params{}, true, Config{ContextTakeover: true})
	c.Compress(nil, []byte("x"))
	c.Close()
	c.Close()
	d := NewDecompressor(Params{}, true)
	d.Close()
	d.Close()
	for name, f := range map[string]func(){
		"Compress":   func() { c.Compress(nil, []byte("x")) },
		"Decompress": func() { d.Decompress(nil, []byte{0}, 0) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Close did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestInvalidConfigPanics(t *testing.T) {
	for name, f := range map[string]func(){
		"level 10":       func() { NewCompressor(Params{}, true, Config{Level: 10}) },
		"level -3":       func() { NewCompressor(Params{}, true, Config{Level: -3}) },
		"window 7":       func() { NewCompressor(Params{ServerMaxWindowBits: 7}, true, Config{}) },
		"window 16 read": func() { NewDecompressor(Params{ClientMaxWindowBits: 16}, true) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", name)
				}
			}()
			f()
		}()
	}
}
