package aiohttp

import (
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// TestResponseHeader checks the header built from a head's fields: values
// in order per name, and an append to one name's values that does not
// overwrite another's.
func TestResponseHeader(t *testing.T) {
	f := func(name, value string) http1.Header { return http1.Header{Name: []byte(name), Value: []byte(value)} }
	fields := []http1.Header{f("content-type", "text/plain"), f("Set-Cookie", "a=1"), f("X-Y", ""), f("Set-Cookie", "b=2"), f("date", "now")}
	h := responseHeader(fields)
	want := http.Header{"Content-Type": {"text/plain"}, "Set-Cookie": {"a=1", "b=2"}, "X-Y": {""}, "Date": {"now"}}
	if !reflect.DeepEqual(h, want) {
		t.Fatalf("responseHeader = %v, want %v", h, want)
	}
	for _, f := range fields {
		clear(f.Value) // the read buffer, reused
	}
	h["Content-Type"] = append(h["Content-Type"], "more")
	if !reflect.DeepEqual(h["Set-Cookie"], []string{"a=1", "b=2"}) || h.Get("Date") != "now" {
		t.Errorf("after the buffer was reused and an append: %v", h)
	}
	if got := responseHeader(nil); got == nil || len(got) != 0 {
		t.Errorf("responseHeader(nil) = %#v, want an empty header", got)
	}
}

func TestStatusString(t *testing.T) {
	for _, tc := range []struct {
		code   int
		reason string
		want   string
	}{
		{200, "OK", "200 OK"},
		{200, "", "200 OK"},
		{200, "Fine", "200 Fine"},
		{299, "", "299"},
		{299, "Odd", "299 Odd"},
		{404, "Not Found", "404 Not Found"},
	} {
		if got := statusString(tc.code, []byte(tc.reason)); got != tc.want {
			t.Errorf("statusString(%d, %q) = %q, want %q", tc.code, tc.reason, got, tc.want)
		}
	}
}

// TestReadAll checks readAll against io.ReadAll for sizes that are right,
// unknown, too small and too large, through a reader that returns a few
// bytes at a time.
func TestReadAll(t *testing.T) {
	body := strings.Repeat("0123456789", 300)
	for _, size := range []int64{3000, -1, 0, 100, 2999, 3001, 1 << 40} {
		got, err := readAll(iotest.HalfReader(strings.NewReader(body)), size)
		if err != nil || string(got) != body {
			t.Errorf("readAll(size %d) = %d bytes, %v; want %d bytes", size, len(got), err, len(body))
		}
	}
	if _, err := readAll(iotest.ErrReader(io.ErrUnexpectedEOF), 10); err != io.ErrUnexpectedEOF {
		t.Errorf("readAll of a failing reader: %v, want io.ErrUnexpectedEOF", err)
	}
}
