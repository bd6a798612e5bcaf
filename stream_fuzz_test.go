package asyncio

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
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
			if line, err := r.ReadLine(ctx); line != nil || err != io.EOF {
				t.Fatalf("ReadLine at the end returned %q, %v; want io.EOF", line, err)
			}
			return struct{}{}, nil
		}, WithClock(NewVirtualClock()))
	})
}

// ReadUntilAny, and ReadUntil when there is one separator, give what a
// plain reference implementation of asyncio's rules gives, with the data
// arriving in chunks while the reader waits: that checks the shortest
// match, the limit, the end of the stream, and that resuming the search
// past what was searched before loses no separator split between chunks.
func FuzzReadUntilAny(f *testing.F) {
	f.Add([]byte("a\r\nb\nc\r\rd"), []byte("\r\n"), []byte("\n"), []byte("\r"), 2, 8)
	f.Add([]byte("part--boundary--rest\n\nend"), []byte("--boundary--"), []byte("\n\n"), []byte{}, 3, 64)
	f.Add([]byte("xxABCDyyABCDE"), []byte("ABCDE"), []byte("CD"), []byte{}, 5, 16)
	f.Add([]byte("abcd\r\nefghijklmnop|q"), []byte("\r\n"), []byte("\n"), []byte("|"), 1, 4)
	f.Fuzz(func(t *testing.T, data, sep1, sep2, sep3 []byte, chunk, limit int) {
		var seps [][]byte
		for _, sep := range [][]byte{sep1, sep2, sep3} {
			if len(sep) > 16 {
				t.Skip()
			}
			if len(sep) > 0 {
				seps = append(seps, sep)
			}
		}
		if len(seps) == 0 || chunk <= 0 || chunk > 1<<9 || limit <= 0 || limit > 1<<8 || len(data) > 1<<11 {
			t.Skip()
		}
		var chunks []string
		for i := 0; i < len(data); i += chunk {
			chunks = append(chunks, string(data[i:min(i+chunk, len(data))]))
		}
		want := referenceReadUntil(chunks, seps, limit)
		var got []untilOutcome
		_, err := Run(func(ctx context.Context) (struct{}, error) {
			r := newStreamReader(limit)
			err := readWhileFeeding(ctx, t, r, chunks, true, func(ctx context.Context) error {
				for !r.AtEOF() {
					var o untilOutcome
					var err error
					if len(seps) == 1 {
						o, err = outcomeOf(r.ReadUntil(ctx, seps[0]))
					} else {
						o, err = outcomeOf(r.ReadUntilAny(ctx, seps...))
					}
					if err != nil {
						return err
					}
					if o.Overrun > 0 {
						// The data was kept: take what holds no separator.
						kept, err := r.ReadExactly(ctx, o.Overrun)
						if err != nil {
							return err
						}
						o.Data = string(kept)
					}
					got = append(got, o)
				}
				return nil
			})
			return struct{}{}, err
		}, WithClock(NewVirtualClock()))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("chunks %q, separators %q, limit %d:\nread      %v\nreference %v", chunks, seps, limit, got, want)
		}
	})
}

// referenceReadUntil reads chunks as FuzzReadUntilAny's reader does (every
// chunk seen before the next arrives, then the end of the stream), with
// asyncio's rules stated plainly and the whole buffer looked at afresh
// each time: the result is the shortest prefix that ends with a
// separator, the shorter separator counting when two end there. The
// Data of an overrun is what the reader then takes of the buffer.
func referenceReadUntil(chunks []string, seps [][]byte, limit int) []untilOutcome {
	maxLen := 0
	for _, sep := range seps {
		maxLen = max(maxLen, len(sep))
	}
	// attempt is one call with buf as it stands; ok is false if the call
	// waits for more data.
	attempt := func(buf []byte, eof bool) (o untilOutcome, ok bool) {
		for end := 1; end <= len(buf); end++ {
			var match []byte
			for _, sep := range seps {
				if bytes.HasSuffix(buf[:end], sep) && (match == nil || len(sep) < len(match)) {
					match = sep
				}
			}
			if match == nil {
				continue
			}
			if start := end - len(match); start > limit {
				return untilOutcome{Overrun: start, Data: string(buf[:start])}, true
			}
			return untilOutcome{Data: string(buf[:end])}, true
		}
		// No separator starts before the last maxLen-1 bytes.
		if clean := len(buf) - maxLen + 1; clean > limit {
			return untilOutcome{Overrun: clean, Data: string(buf[:clean])}, true
		}
		if eof {
			return untilOutcome{Data: string(buf), Incomplete: true}, true
		}
		return untilOutcome{}, false
	}
	var buf []byte
	var out []untilOutcome
	waiting := false // a call waits for data: it returns, even at the end
	for i := 0; ; i++ {
		eof := i > len(chunks)
		for waiting || !(eof && len(buf) == 0) { // the reader's loop: until AtEOF
			o, ok := attempt(buf, eof)
			if waiting = !ok; waiting {
				break
			}
			out = append(out, o)
			buf = buf[len(o.Data):]
		}
		if eof {
			return out
		}
		if i < len(chunks) {
			buf = append(buf, chunks[i]...)
		}
	}
}
