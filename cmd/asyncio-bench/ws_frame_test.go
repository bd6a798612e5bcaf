package main

import (
	"bytes"
	"strings"
	"testing"
)

// The masked "Hello" of RFC 6455 section 5.7.
func TestWSClientFrameRFCExample(t *testing.T) {
	got := wsClientFrame(wsText, []byte("Hello"), [4]byte{0x37, 0xfa, 0x21, 0x3d})
	want := []byte{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}
	if !bytes.Equal(got, want) {
		t.Errorf("frame % x, want % x", got, want)
	}
}

// The length encodings of RFC 6455 section 5.7's 256-byte and 64 KiB
// binary frames, masked.
func TestWSClientFrameLengths(t *testing.T) {
	key := [4]byte{1, 2, 3, 4}
	for _, c := range []struct {
		n    int
		head []byte
	}{
		{125, []byte{0x82, 0x80 | 125, 1, 2, 3, 4}},
		{256, []byte{0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4}},
		{65536, []byte{0x82, 0xff, 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4}},
	} {
		f := wsClientFrame(wsBinary, make([]byte, c.n), key)
		if !bytes.Equal(f[:len(c.head)], c.head) || len(f) != len(c.head)+c.n {
			t.Errorf("%d bytes: header % x, length %d; want % x, %d", c.n, f[:len(c.head)], len(f), c.head, len(c.head)+c.n)
		}
		// Zeros masked are the key over and over.
		if p := f[len(c.head):]; p[0] != 1 || p[5] != 2 || p[c.n-1] != key[(c.n-1)&3] {
			t.Errorf("%d bytes: payload not masked with the key: % x ...", c.n, p[:8])
		}
	}
}

// feedAll gives a the frames in pieces of step bytes and returns after
// how many bytes it reported the message whole (-1: never), or its error.
func feedAll(a *wsAnswer, b []byte, step int) (int, error) {
	for i := 0; i < len(b); i += step {
		done, err := a.feed(b[i:min(i+step, len(b))])
		if err != nil {
			return -1, err
		}
		if done {
			return min(i+step, len(b)), nil
		}
	}
	return -1, nil
}

func TestWSAnswer(t *testing.T) {
	// The unmasked frames of RFC 6455 section 5.7, as binary messages.
	b256 := append([]byte{0x82, 0x7e, 0x01, 0x00}, make([]byte, 256)...)
	b64k := append([]byte{0x82, 0x7f, 0, 0, 0, 0, 0, 1, 0, 0}, make([]byte, 65536)...)
	frag := []byte{0x02, 0x03, 'H', 'e', 'l', 0x80, 0x02, 'l', 'o'}
	for _, c := range []struct {
		name   string
		size   int
		frames []byte
	}{
		{"5 bytes", 5, []byte{0x82, 0x05, 'H', 'e', 'l', 'l', 'o'}},
		{"256 bytes", 256, b256},
		{"64 KiB", 65536, b64k},
		{"in two fragments", 5, frag},
		{"an empty fragment first", 5, append([]byte{0x02, 0x00, 0x00}, frag[1:]...)},
	} {
		for _, step := range []int{1, 3, len(c.frames)} {
			a := &wsAnswer{size: c.size}
			// Twice: the state must be clean for the next message.
			for round := range 2 {
				n, err := feedAll(a, c.frames, step)
				if err != nil || n != len(c.frames) {
					t.Errorf("%s in pieces of %d, message %d: whole after %d of %d bytes, err %v", c.name, step, round, n, len(c.frames), err)
				}
			}
		}
	}
}

func TestWSAnswerRefuses(t *testing.T) {
	for _, c := range []struct {
		name, frames, err string
	}{
		// The masked "Hello" of RFC 6455 section 5.7 is a client's frame.
		{"masked", "\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", "masked"},
		{"text", "\x81\x05Hello", "type 0x1"},
		{"too long", "\x82\x06Hello!", "at least 6 bytes"},
		{"too short", "\x82\x04Hell", "4 bytes back"},
		{"bytes after", "\x82\x05Hello\x82", "after the answer"},
		{"close", "\x88\x02\x03\xe8", "close frame"},
		{"ping", "\x89\x00", "control frame"},
		{"compressed", "\xc2\x05Hello", "reserved bits"},
		{"a new message in a fragmented one", "\x02\x03Hel\x82\x02lo", "continuation was due"},
		{"a continuation first", "\x80\x05Hello", "type 0x0"},
	} {
		_, err := feedAll(&wsAnswer{size: 5}, []byte(c.frames), len(c.frames))
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: err = %v, want one with %q", c.name, err, c.err)
		}
	}
}
