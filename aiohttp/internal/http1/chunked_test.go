package http1

import (
	"errors"
	"io"
	"strings"
	"testing"
)

// decodeAll feeds in to a fresh decoder step bytes at a time, as a
// connection would, and returns the body, the trailers and the final error.
func decodeAll(in string, step int) (body string, trailers []string, rest int, err error) {
	var d ChunkedDecoder
	var pending []byte
	fed := 0
	var b strings.Builder
	for {
		data, n, err := d.Decode(pending)
		b.Write(data)
		if err == io.EOF {
			for _, h := range d.Trailers() {
				trailers = append(trailers, string(h.Name)+": "+string(h.Value))
			}
			return b.String(), trailers, len(pending) - n + len(in) - fed, nil
		}
		pending = append([]byte(nil), pending[n:]...)
		if err == ErrIncomplete || (err == nil && len(pending) == 0) {
			if fed == len(in) {
				return b.String(), nil, 0, ErrIncomplete
			}
			k := min(fed+step, len(in))
			pending = append(pending, in[fed:k]...)
			fed = k
			continue
		}
		if err != nil {
			return b.String(), nil, 0, err
		}
	}
}

var chunkedRules = []struct {
	rule     string
	in       string
	body     string
	trailers string
	err      error
}{
	{"Accept_TwoChunks", "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n", "hello world", "", nil},
	{"Accept_UpperHex", "A\r\n0123456789\r\n0\r\n\r\n", "0123456789", "", nil},
	{"Accept_LeadingZeros", "0005\r\nhello\r\n000\r\n\r\n", "hello", "", nil},
	{"Accept_Extension", "5;name=value;x\r\nhello\r\n0;last\r\n\r\n", "hello", "", nil},
	{"Accept_TrailingWhitespaceOnSize", "5 \t\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
	{"Accept_Trailers", "5\r\nhello\r\n0\r\nX-Sum: abc\r\nX-Two:  2 \r\n\r\n", "hello", "X-Sum: abc|X-Two: 2", nil},
	{"Accept_SixteenHexDigits", "0000000000000005\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
	{"Incomplete_NoLastChunk", "5\r\nhello\r\n", "hello", "", ErrIncomplete},
	{"Incomplete_NoTrailerEnd", "5\r\nhello\r\n0\r\n", "hello", "", ErrIncomplete},
	{"Reject_ChunkSizeEmpty", "\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeEmptyWithExtension", ";x\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeNonHex", "5g\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeSign", "+5\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeLeadingSpace", " 5\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeSpaceBeforeExtension", "5 ;x\r\nhello\r\n0\r\n\r\n", "", "", ErrBadChunkSize},
	{"Reject_ChunkSizeOverflow", "10000000000000005\r\nhello\r\n0\r\n\r\n", "", "", ErrChunkSizeOverflow},
	{"Reject_ChunkSizeBareLF", "5\nhello\r\n0\r\n\r\n", "", "", ErrBareLF},
	{"Reject_ChunkSizeBareCR", "5\r;x\r\nhello\r\n0\r\n\r\n", "", "", ErrBareCR},
	{"Reject_MissingCRLFAfterData", "5\r\nhelloX\r\n0\r\n\r\n", "hello", "", ErrMissingChunkCRLF},
	{"Reject_BareLFAfterData", "5\r\nhello\n0\r\n\r\n", "hello", "", ErrMissingChunkCRLF},
	{"Reject_ChunkLineTooLong", "5;" + strings.Repeat("x", maxChunkLine) + "\r\nhello\r\n0\r\n\r\n", "", "", ErrLineTooLong},
	// net/http reads chunk lines through a 4 KiB buffer: a line of 4,096
	// bytes with its CRLF fits, one more does not.
	{"Accept_ChunkLine4096", "5;" + strings.Repeat("x", 4096-len("5;\r\n")) + "\r\nhello\r\n0\r\n\r\n", "hello", "", nil},
	{"Reject_ChunkLine4097", "5;" + strings.Repeat("x", 4097-len("5;\r\n")) + "\r\nhello\r\n0\r\n\r\n", "", "", ErrLineTooLong},
	{"Reject_ChunkOverhead", strings.Repeat("1;"+strings.Repeat("x", 1000)+"\r\nA\r\n", 20) + "0\r\n\r\n", strings.Repeat("A", 16), "", ErrChunkOverhead},
	{"Reject_TrailerObsFold", "0\r\nX: a\r\n b\r\n\r\n", "", "", ErrObsFold},
	{"Reject_TrailerBareLF", "0\r\nX: a\n\r\n", "", "", ErrBareLF},
	{"Reject_TrailerBadName", "0\r\nX Y: a\r\n\r\n", "", "", ErrBadHeaderName},
	{"Reject_TrailerBadValue", "0\r\nX: a\x01\r\n\r\n", "", "", ErrBadHeaderValue},
	{"Reject_TrailerTooLarge", "0\r\n" + strings.Repeat("X: "+strings.Repeat("a", 100)+"\r\n", 50) + "\r\n", "", "", ErrTrailerTooLarge},
}

// TestChunkedDecoderRules checks each rule with the body fed all at once,
// in 7-byte pieces and byte by byte: the result must not depend on how
// the bytes arrive.
func TestChunkedDecoderRules(t *testing.T) {
	for _, tt := range chunkedRules {
		t.Run(tt.rule, func(t *testing.T) {
			for _, step := range []int{len(tt.in), 7, 1} {
				body, trailers, rest, err := decodeAll(tt.in+"NEXT", step)
				if tt.err == ErrIncomplete {
					body, trailers, rest, err = decodeAll(tt.in, step)
				}
				if !errors.Is(err, tt.err) {
					t.Fatalf("step %d: err = %v, want %v", step, err, tt.err)
				}
				if body != tt.body {
					t.Fatalf("step %d: body = %q, want %q", step, body, tt.body)
				}
				if got := strings.Join(trailers, "|"); got != tt.trailers {
					t.Fatalf("step %d: trailers = %q, want %q", step, got, tt.trailers)
				}
				if err == nil && rest != len("NEXT") {
					t.Fatalf("step %d: %d bytes left after the body, want 4", step, rest)
				}
			}
		})
	}
}
