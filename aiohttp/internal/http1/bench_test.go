package http1

import (
	"bufio"
	"bytes"
	"net/http"
	"testing"
)

// BenchmarkParseRequestHead parses the same typical browser request with
// this package (reusing a Request, as a connection does; and fresh each
// time) and with http.ReadRequest, whose allocations are why this package
// exists.
func BenchmarkParseRequestHead(b *testing.B) {
	buf := []byte(typicalRequest)
	b.Run("http1.Parse", func(b *testing.B) {
		var r Request
		r.Headers = make([]Header, 0, 32)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.Parse(buf, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("http1.ParseRequestHead", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := ParseRequestHead(buf, Limits{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("net/http.ReadRequest", func(b *testing.B) {
		rd := bytes.NewReader(buf)
		br := bufio.NewReader(rd)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			rd.Reset(buf)
			br.Reset(rd)
			if _, err := http.ReadRequest(br); err != nil {
				b.Fatal(err)
			}
		}
	})
}
