package asyncio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
)

// untilOutcome is what one ReadUntil or ReadUntilAny call gave, in a form
// tests compare: the data, an *IncompleteReadError's Partial, or an
// *LimitOverrunError's Consumed (never 0: it is past the limit, which is
// at least 1).
type untilOutcome struct {
	Data       string
	Incomplete bool
	Overrun    int
}

func (o untilOutcome) String() string {
	switch {
	case o.Overrun > 0:
		return fmt.Sprintf("overrun at %d (%q)", o.Overrun, o.Data)
	case o.Incomplete:
		return fmt.Sprintf("incomplete %q", o.Data)
	}
	return fmt.Sprintf("%q", o.Data)
}

// outcomeOf turns a result of ReadUntilAny into an untilOutcome; an error
// of any other kind is returned as it is, and so is an
// *IncompleteReadError of a clean end that does not wrap io.EOF (nothing
// left) or io.ErrUnexpectedEOF (something left).
func outcomeOf(data []byte, err error) (untilOutcome, error) {
	var over *LimitOverrunError
	var inc *IncompleteReadError
	switch {
	case errors.As(err, &over):
		return untilOutcome{Overrun: over.Consumed}, nil
	case errors.As(err, &inc):
		cause := io.ErrUnexpectedEOF
		if len(inc.Partial) == 0 {
			cause = io.EOF
		}
		if inc.Expected != -1 || inc.Err != cause {
			return untilOutcome{}, err
		}
		return untilOutcome{Data: string(inc.Partial), Incomplete: true}, nil
	case err != nil:
		return untilOutcome{}, err
	}
	return untilOutcome{Data: string(data)}, nil
}

// readWhileFeeding runs read in a task of its own and feeds r the chunks
// one at a time, each once read has looked at what came before and waits
// for more (or has returned), then the end of the stream if eof: the
// reader sees every boundary between chunks, as it would on a connection
// whose data arrives in pieces. A read still waiting after the last chunk
// is cancelled. It returns what read returned.
func readWhileFeeding(ctx context.Context, tb testing.TB, r *StreamReader, chunks []string, eof bool, read func(ctx context.Context) error) error {
	tb.Helper()
	task := Spawn(ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, read(ctx) })
	// Sleep(ctx, 0) gives up exactly one iteration of the loop: the
	// reader, woken by the previous chunk, runs up to its next wait.
	yield := func() {
		if err := Sleep(ctx, 0); err != nil {
			tb.Fatal(err)
		}
		if !task.Done() && !r.reading {
			tb.Fatal("the reader neither waits for data nor has returned")
		}
	}
	for _, c := range chunks {
		yield()
		r.feed([]byte(c))
	}
	if eof {
		yield()
		r.feedEOF(nil)
	}
	yield()
	task.Cancel() // if it still waits
	_, err := task.Wait(ctx)
	return err
}

// TestReadUntilAny checks asyncio 3.13's rules for readuntil with a tuple
// of separators, one rule a case. Each case runs with the separators in
// both orders: the rules do not depend on it.
func TestReadUntilAny(t *testing.T) {
	for _, tc := range []struct {
		name   string
		limit  int
		seps   []string
		chunks []string
		eof    bool
		want   untilOutcome
		rest   string // what stays in the stream
	}{
		{
			name: "the shortest data wins",
			seps: []string{"\r\n", "\n"}, chunks: []string{"ab\nc\r\n"},
			want: untilOutcome{Data: "ab\n"}, rest: "c\r\n",
		},
		{
			name: "the match that ends first, not the one that starts first",
			seps: []string{"1234567", "345"}, chunks: []string{"0123456789"},
			want: untilOutcome{Data: "012345"}, rest: "6789",
		},
		{
			name: "separators ending at the same byte",
			seps: []string{"\r\n", "\n"}, chunks: []string{"abc\r\ndef"},
			want: untilOutcome{Data: "abc\r\n"}, rest: "def",
		},
		{
			// The shortest data: "\r" ends before "\r\n" does.
			name: "a separator that is the start of another",
			seps: []string{"\r\n", "\r"}, chunks: []string{"one\r\ntwo"},
			want: untilOutcome{Data: "one\r"}, rest: "\ntwo",
		},
		{
			name: "the same separator twice",
			seps: []string{"|", "|"}, chunks: []string{"a|b|"},
			want: untilOutcome{Data: "a|"}, rest: "b|",
		},
		{
			name: "a separator split across two chunks",
			seps: []string{"\r\n", "\n"}, chunks: []string{"abc\r", "\ndef"},
			want: untilOutcome{Data: "abc\r\n"}, rest: "def",
		},
		{
			name: "a long separator split across three chunks",
			seps: []string{"--boundary--", "\n\n"}, chunks: []string{"part--bou", "nda", "ry--rest"},
			want: untilOutcome{Data: "part--boundary--"}, rest: "rest",
		},
		{
			// After the first chunk the search resumes where the longest
			// separator could start, which is before where the shorter
			// one does.
			name: "a short separator begun before the resumption point of the longest",
			seps: []string{"ABCDE", "CD"}, chunks: []string{"xxABC", "Dyy"},
			want: untilOutcome{Data: "xxABCD"}, rest: "yy",
		},
		{
			name: "one byte a chunk",
			seps: []string{"<end>", "\n"}, chunks: strings.Split("ab<end>c", ""),
			want: untilOutcome{Data: "ab<end>"}, rest: "c",
		},
		{
			name: "a separator in the last chunk before the end",
			seps: []string{"\n", ";"}, chunks: []string{"abc", ";xyz"}, eof: true,
			want: untilOutcome{Data: "abc;"}, rest: "xyz",
		},
		{
			name: "the end first: everything, a partial separator included, is consumed",
			seps: []string{"\r\n", "|"}, chunks: []string{"ab", "c\r"}, eof: true,
			want: untilOutcome{Data: "abc\r", Incomplete: true},
		},
		{
			name: "the end of an empty stream",
			seps: []string{"\n", "\r"}, eof: true,
			want: untilOutcome{Incomplete: true},
		},
		{
			name:  "a separator that starts at the limit",
			limit: 4, seps: []string{"\n", "\r\n"}, chunks: []string{"abcd\nef"},
			want: untilOutcome{Data: "abcd\n"}, rest: "ef",
		},
		{
			// Consumed is where the longest separator could start: the
			// bytes before it hold none of them.
			name:  "the limit reached with no separator keeps the data",
			limit: 4, seps: []string{"\n", "||"}, chunks: []string{"abcdefgh"},
			want: untilOutcome{Overrun: 7}, rest: "abcdefgh",
		},
		{
			// The limit is checked before the end of the stream.
			name:  "the limit reached with no separator, and the end",
			limit: 4, seps: []string{"\n", "||"}, chunks: []string{"abcdefgh"}, eof: true,
			want: untilOutcome{Overrun: 7}, rest: "abcdefgh",
		},
		{
			// asyncio checks the limit after each chunk.
			name:  "the limit reached with no separator, chunk by chunk",
			limit: 4, seps: []string{"\n", "||"}, chunks: []string{"abcd", "ef", "gh"},
			want: untilOutcome{Overrun: 5}, rest: "abcdefgh",
		},
		{
			name:  "a separator past the limit keeps the data",
			limit: 4, seps: []string{"|", "||"}, chunks: []string{"abcdef|"},
			want: untilOutcome{Overrun: 6}, rest: "abcdef|",
		},
		{
			// "\r\n" starts at 4, within the limit, but "\n" ends at the
			// same byte and is shorter: it is the match, and it starts
			// past the limit.
			name:  "for the limit the shorter of two separators ending together counts",
			limit: 4, seps: []string{"\r\n", "\n"}, chunks: []string{"abcd\r\n"},
			want: untilOutcome{Overrun: 5}, rest: "abcd\r\n",
		},
		{
			// "abcdefgh" starts within the limit, but "f" ends first.
			name:  "for the limit the separator that ends first counts",
			limit: 4, seps: []string{"abcdefgh", "f"}, chunks: []string{"abcdefgh"},
			want: untilOutcome{Overrun: 5}, rest: "abcdefgh",
		},
	} {
		for _, order := range []string{"given", "reversed"} {
			t.Run(tc.name+"/"+order, func(t *testing.T) {
				seps := make([][]byte, len(tc.seps))
				for i, s := range tc.seps {
					seps[i] = []byte(s)
				}
				if order == "reversed" {
					slices.Reverse(seps)
				}
				_, err := Run(func(ctx context.Context) (struct{}, error) {
					r := newStreamReader(tc.limit)
					var got untilOutcome
					err := readWhileFeeding(ctx, t, r, tc.chunks, tc.eof, func(ctx context.Context) (err error) {
						got, err = outcomeOf(r.ReadUntilAny(ctx, seps...))
						return err
					})
					if err != nil {
						t.Fatalf("ReadUntilAny: %v", err)
					}
					if got != tc.want {
						t.Errorf("ReadUntilAny = %v, want %v", got, tc.want)
					}
					if string(r.buf) != tc.rest {
						t.Errorf("left %q in the stream, want %q", r.buf, tc.rest)
					}
					return struct{}{}, nil
				}, WithClock(NewVirtualClock()))
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	}
}

// Calls without a usable separator fail at once and leave the stream as
// it was.
func TestReadUntilSeparatorErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		read func(ctx context.Context, r *StreamReader) ([]byte, error)
		want string
	}{
		{"ReadUntil, empty", func(ctx context.Context, r *StreamReader) ([]byte, error) {
			return r.ReadUntil(ctx, nil)
		}, "asyncio: ReadUntil with an empty separator"},
		{"ReadUntilAny, none", func(ctx context.Context, r *StreamReader) ([]byte, error) {
			return r.ReadUntilAny(ctx)
		}, "asyncio: ReadUntilAny without a separator"},
		{"ReadUntilAny, one empty", func(ctx context.Context, r *StreamReader) ([]byte, error) {
			return r.ReadUntilAny(ctx, []byte("\n"), []byte{})
		}, "asyncio: ReadUntilAny with an empty separator"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			Run(func(ctx context.Context) (struct{}, error) {
				r := newStreamReader(0)
				r.feed([]byte("a\nb"))
				got, err := tc.read(ctx, r)
				if err == nil || err.Error() != tc.want || got != nil {
					t.Errorf("got %q, %v; want the error %q", got, err, tc.want)
				}
				if string(r.buf) != "a\nb" {
					t.Errorf("the stream holds %q, want it untouched", r.buf)
				}
				return struct{}{}, nil
			}, WithClock(NewVirtualClock()))
		})
	}
}
