package aiohttp

import (
	"testing"
	"unsafe"
)

// TestRequestMemSizes checks that a request's memory fills the size
// classes of the allocator it was made for.
func TestRequestMemSizes(t *testing.T) {
	if got := unsafe.Sizeof(requestMemSmall{}); got != 384 {
		t.Errorf("unsafe.Sizeof(requestMemSmall{}) = %d, want 384", got)
	}
	if got := unsafe.Sizeof(requestMemLarge{}); got != 1024 {
		t.Errorf("unsafe.Sizeof(requestMemLarge{}) = %d, want 1024", got)
	}
}

// TestRequestHeadCopied checks that the strings of a request are copies,
// for heads of each size: a handler may keep them after the read buffer
// has been reused.
func TestRequestHeadCopied(t *testing.T) {
	for _, n := range []int{0, 100, 600, 2000} {
		raw := []byte("GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX-Pad: " + string(make([]byte, n)) + "\r\n\r\n")
		for i := len("GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX-Pad: "); i < len(raw)-4; i++ {
			raw[i] = 'a'
		}
		mem, head := newRequestMem(raw)
		if head != string(raw) {
			t.Fatalf("head of %d bytes: got %q", len(raw), head)
		}
		if (mem != nil) != (len(raw) <= 784) {
			t.Errorf("head of %d bytes: requestMem %v", len(raw), mem != nil)
		}
		for i := range raw {
			raw[i] = 'z'
		}
		if head[:3] != "GET" {
			t.Errorf("head of %d bytes changed with the buffer: %.20q", len(raw), head)
		}
	}
}
