package asyncio

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// readAll feeds data to a reader in chunks of the given size, then the end
// of the stream, and reads it back with ReadUntil(sep) until the end,
// checking asyncio's rules: every result ends with sep except an
// incomplete tail; an overrun keeps the data; nothing is lost or made up.
func FuzzReadUntil(f *testing.F) {
	f.Add([]byte("line one\nline two\nno end"), []byte("\n"), 3, 8)
	f.Add([]byte("a||b||||c"), []byte("||"), 1, 4)
	f.Add([]byte("xxxxxxxxxxxxxxxxxxxx|y"), []byte("|"), 5, 4)
	f.Add([]byte(""), []byte("\r\n"), 1, 1)
	f.Fuzz(func(t *testing.T, data, sep []byte, chunk, limit int) {
		if len(sep) == 0 || len(sep) > 8 || chunk <= 0 || chunk > 1<<10 || limit <= 0 || limit > 1<<10 || len(data) > 1<<14 {
			t.Skip()
		}
		_, err := Run(func(ctx context.Context) (struct{}, error) {
			r := newStreamReader(limit)
			for i := 0; i < len(data); i += chunk {
				r.feed(data[i:min(i+chunk, len(data))])
			}
			r.feedEOF(nil)
			var got []byte
			for !r.AtEOF() {
				part, err := r.ReadUntil(ctx, sep)
				var over *LimitOverrunError
				var inc *IncompleteReadError
				switch {
				case errors.As(err, &over):
					if over.Consumed < 0 || over.Consumed > len(r.buf) {
						t.Fatalf("overrun consumed %d of %d buffered", over.Consumed, len(r.buf))
					}
					// The data was kept: take it another way.
					part, err = r.ReadExactly(ctx, max(over.Consumed, 1))
					if err != nil {
						t.Fatalf("ReadExactly after an overrun: %v", err)
					}
				case errors.As(err, &inc):
					part = inc.Partial
					if bytes.Contains(part, sep) {
						t.Fatalf("incomplete read %q holds the separator %q", part, sep)
					}
				case err != nil:
					t.Fatal(err)
				default:
					if !bytes.HasSuffix(part, sep) {
						t.Fatalf("ReadUntil returned %q, not ending in %q", part, sep)
					}
					if i := bytes.Index(part, sep); i != len(part)-len(sep) {
						t.Fatalf("ReadUntil returned %q, with an earlier separator", part)
					}
				}
				got = append(got, part...)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("read back %q, fed %q", got, data)
			}
			return struct{}{}, nil
		}, WithClock(NewVirtualClock()))
		if err != nil {
			t.Fatal(err)
		}
	})
}

// ReadLine never returns more than one line, and never loses a line that
// fits the limit.
func FuzzReadLine(f *testing.F) {
	f.Add([]byte("a\nbb\n\nccc"), 2)
	f.Add([]byte("0123456789\nok\n"), 4)
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		if limit <= 0 || limit > 1<<10 || len(data) > 1<<14 {
			t.Skip()
		}
		Run(func(ctx context.Context) (struct{}, error) {
			r := newStreamReader(limit)
			r.feed(data)
			r.feedEOF(nil)
			for n := 0; !r.AtEOF(); n++ {
				line, err := r.ReadLine(ctx)
				if errors.Is(err, ErrLineTooLong) {
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if i := bytes.IndexByte(line, '\n'); i >= 0 && i != len(line)-1 {
					t.Fatalf("ReadLine returned %q: two lines", line)
				}
				if n > len(data)+1 {
					t.Fatal("ReadLine does not advance")
				}
			}
			return struct{}{}, nil
		}, WithClock(NewVirtualClock()))
	})
}
