package wsdeflate

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

// zlibScript inflates or deflates a sequence of messages as a
// permessage-deflate peer built on Python's zlib would. Its argument
// names a JSON file:
//
//	{"op": "inflate" or "deflate", "wbits": 8-15, "takeover": bool,
//	 "level": zlib level, "items": [hex, ...]}
//
// and it prints a JSON list with, for each item, its result in hex, or
// an object {"error": text} from the first item that fails on.
const zlibScript = `import json, sys, zlib

job = json.load(open(sys.argv[1]))
wbits, takeover = job["wbits"], job["takeover"]
out, obj = [], None
for item in job["items"]:
    data = bytes.fromhex(item)
    try:
        if job["op"] == "inflate":
            if obj is None or not takeover:
                obj = zlib.decompressobj(wbits=-wbits)
            res = obj.decompress(data + b"\x00\x00\xff\xff")
            if obj.unconsumed_tail or obj.eof:
                raise ValueError("message does not end at a sync flush")
        else:
            if obj is None or not takeover:
                obj = zlib.compressobj(job["level"], zlib.DEFLATED, -wbits)
            res = obj.compress(data) + obj.flush(zlib.Z_SYNC_FLUSH)
            if not res.endswith(b"\x00\x00\xff\xff"):
                raise ValueError("sync flush without its empty stored block")
            res = res[:-4]
    except Exception as e:
        out.append({"error": "%s: %s" % (type(e).__name__, e)})
        break
    out.append(res.hex())
print(json.dumps(out))
`

type zlibJob struct {
	Op       string   `json:"op"`
	WBits    int      `json:"wbits"`
	Takeover bool     `json:"takeover"`
	Level    int      `json:"level"`
	Items    []string `json:"items"`
}

// runZlib runs job through Python's zlib and returns the results, and the
// index and text of the error that stopped it, if any (-1, "" if none).
func runZlib(t *testing.T, job zlibJob, items [][]byte) (results [][]byte, failed int, errText string) {
	t.Helper()
	for _, it := range items {
		job.Items = append(job.Items, hex.EncodeToString(it))
	}
	path := filepath.Join(t.TempDir(), "job.json")
	data, err := json.Marshal(job)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, err := peer.Python(t, zlibScript, path)
	if err != nil {
		t.Fatal(err)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(stdout, &out); err != nil {
		t.Fatalf("zlib script output: %v\n%s", err, stdout)
	}
	for i, raw := range out {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			var e struct{ Error string }
			if err := json.Unmarshal(raw, &e); err != nil {
				t.Fatalf("zlib script item %d: %s", i, raw)
			}
			return results, i, e.Error
		}
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, b)
	}
	return results, -1, ""
}

// TestZlibInflatesOurs checks that Python's zlib, as a peer with the
// negotiated window, inflates what our Compressor sends: in particular
// that with a window under 15 bits our messages refer no farther back
// than zlib's window, which zlib reports as "invalid distance too far
// back" otherwise. The last case is the control: output compressed for
// a 15-bit window does refer farther than 512 bytes.
func TestZlibInflatesOurs(t *testing.T) {
	msgs := messages(20, 80)
	tests := []struct {
		name     string
		bits     int // negotiated server_max_window_bits
		cfg      Config
		wbits    int // zlib's window
		takeover bool
		fails    bool
	}{
		{"no takeover", 15, Config{}, 15, false, false},
		{"takeover", 15, Config{ContextTakeover: true}, 15, true, false},
		{"takeover level 9", 15, Config{Level: 9, ContextTakeover: true}, 15, true, false},
		{"window 9", 9, Config{ContextTakeover: true}, 9, true, false},
		{"window 8", 8, Config{Level: 9, ContextTakeover: true}, 8, true, false},
		{"window 15 read with 9: control", 15, Config{ContextTakeover: true}, 9, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Params{ServerNoContextTakeover: !tt.takeover, ServerMaxWindowBits: tt.bits}
			c := NewCompressor(p, true, tt.cfg)
			defer c.Close()
			var payloads [][]byte
			for _, m := range msgs {
				payloads = append(payloads, c.Compress(nil, m))
			}
			got, failed, errText := runZlib(t, zlibJob{Op: "inflate", WBits: tt.wbits, Takeover: tt.takeover}, payloads)
			if tt.fails {
				if failed < 0 || !strings.Contains(errText, "too far back") {
					t.Fatalf("zlib with a 9-bit window on a 15-bit stream: failed at %d with %q, want a distance too far back", failed, errText)
				}
				return
			}
			if failed >= 0 {
				t.Fatalf("zlib failed on message %d: %s", failed, errText)
			}
			for i := range msgs {
				if !bytes.Equal(got[i], msgs[i]) {
					t.Fatalf("message %d: zlib inflated %d bytes, want %d", i, len(got[i]), len(msgs[i]))
				}
			}
		})
	}
}

// TestOursInflatesZlib checks that our Decompressor inflates what Python's
// zlib sends as a permessage-deflate peer, small windows and context
// takeover included. The control case shows that the history kept for a
// 9-bit window is no longer than 512 bytes: a 15-bit stream that refers
// into earlier messages fails on it.
func TestOursInflatesZlib(t *testing.T) {
	msgs := messages(21, 80)
	tests := []struct {
		name     string
		wbits    int // zlib's window
		bits     int // negotiated client_max_window_bits
		level    int
		takeover bool
		fails    bool
	}{
		{"no takeover", 15, 15, 6, false, false},
		{"takeover", 15, 15, 6, true, false},
		{"takeover level 1", 15, 15, 1, true, false},
		{"takeover level 9", 15, 15, 9, true, false},
		{"window 12 takeover", 12, 12, 6, true, false},
		{"window 9 takeover", 9, 9, 9, true, false},
		{"window 9 no takeover", 9, 9, 6, false, false},
		{"window 9 read with 15", 9, 15, 6, true, false},
		{"window 15 read with 9: control", 15, 9, 6, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			payloads, failed, errText := runZlib(t, zlibJob{Op: "deflate", WBits: tt.wbits, Takeover: tt.takeover, Level: tt.level}, msgs)
			if failed >= 0 {
				t.Fatalf("zlib failed on message %d: %s", failed, errText)
			}
			p := Params{ClientNoContextTakeover: !tt.takeover, ClientMaxWindowBits: tt.bits}
			d := NewDecompressor(p, true)
			defer d.Close()
			for i, payload := range payloads {
				out, err := d.Decompress(nil, payload, 0)
				if tt.fails && err != nil {
					if !errors.Is(err, ErrCorrupt) {
						t.Fatalf("message %d: %v, want ErrCorrupt", i, err)
					}
					return
				}
				if err != nil || !bytes.Equal(out, msgs[i]) {
					t.Fatalf("message %d: inflated %d bytes, %v; want %d", i, len(out), err, len(msgs[i]))
				}
			}
			if tt.fails {
				t.Fatalf("a %d-bit stream inflated with %d bits of history", tt.wbits, tt.bits)
			}
		})
	}
}
