package main

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Frame opcodes of RFC 6455 section 5.2 that the client sends or meets.
const (
	wsContinuation = 0x0
	wsText         = 0x1
	wsBinary       = 0x2
	wsClose        = 0x8
)

// wsClientFrame returns a final frame of opcode op carrying payload,
// masked with key as a client sends it (RFC 6455 section 5.3).
//
// ws-load builds one such frame per connection, with one random key, and
// sends it again and again. RFC 6455 asks for a fresh, unpredictable key
// per frame, so that a script in a browser cannot choose the bytes on the
// wire; a benchmark client that sends its own fixed bytes gains nothing
// from that, and reusing the frame keeps the load generator's cost out of
// the servers' figures. It is a benchmark shortcut, not a client to copy.
func wsClientFrame(op byte, payload []byte, key [4]byte) []byte {
	f := make([]byte, 0, 14+len(payload))
	f = append(f, 0x80|op)
	switch n := len(payload); {
	case n <= 125:
		f = append(f, 0x80|byte(n))
	case n <= 0xffff:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	f = append(f, key[:]...)
	for i, b := range payload {
		f = append(f, b^key[i&3])
	}
	return f
}

// wsAnswer follows the frames a server sends in answer to one binary
// message of size bytes: it takes the bytes as they are read, in pieces
// of any length, and reports when the whole message is in. It checks the
// framing and the length, not the payload.
type wsAnswer struct {
	size int
	hdr  [14]byte // the start of a header split between reads
	nhdr int
	left int64 // payload bytes of the current frame still to come
	fin  bool  // the current frame ends the message
	got  int   // payload bytes of the message so far
	cont bool  // a continuation frame comes next
}

// errWSIncomplete is wsParseServerHeader's answer to a buffer that ends
// before the header does.
var errWSIncomplete = errors.New("incomplete frame header")

// feed takes the next bytes read. It returns true when they end the
// message, which must then be exactly size bytes with nothing after it:
// one message is in flight, so anything more is an error, as is a
// control frame (an echo server that pings or closes is not echoing).
func (a *wsAnswer) feed(b []byte) (bool, error) {
	for len(b) > 0 {
		if a.left > 0 {
			k := int(min(a.left, int64(len(b))))
			a.left -= int64(k)
			a.got += k
			b = b[k:]
			if a.got > a.size {
				return false, fmt.Errorf("a message of at least %d bytes back for one of %d", a.got, a.size)
			}
		} else {
			held := a.nhdr
			a.nhdr += copy(a.hdr[a.nhdr:], b)
			fin, op, length, n, err := wsParseServerHeader(a.hdr[:a.nhdr])
			if err == errWSIncomplete {
				return false, nil // b is all in hdr
			}
			if err != nil {
				return false, err
			}
			b = b[n-held:]
			a.nhdr = 0
			switch {
			case op == wsClose:
				return false, errors.New("the server sent a close frame")
			case op&0x8 != 0:
				return false, fmt.Errorf("the server sent control frame %#x", op)
			case a.cont && op != wsContinuation:
				return false, fmt.Errorf("frame %#x where a continuation was due", op)
			case !a.cont && op != wsBinary:
				return false, fmt.Errorf("a message of type %#x back for a binary one", op)
			}
			a.left, a.fin, a.cont = length, fin, !fin
		}
		if a.left == 0 && a.fin {
			if a.got != a.size {
				return false, fmt.Errorf("a message of %d bytes back for one of %d", a.got, a.size)
			}
			if len(b) > 0 {
				return false, fmt.Errorf("%d bytes after the answer", len(b))
			}
			a.got, a.fin = 0, false
			return true, nil
		}
	}
	return false, nil
}

// wsParseServerHeader parses the frame header at the start of b, as a
// server sends it: unmasked, no extension bits (none was negotiated). It
// returns the header's length n, or errWSIncomplete.
func wsParseServerHeader(b []byte) (fin bool, op byte, length int64, n int, err error) {
	if len(b) < 2 {
		return false, 0, 0, 0, errWSIncomplete
	}
	fin, op = b[0]&0x80 != 0, b[0]&0x0f
	switch {
	case b[0]&0x70 != 0:
		return false, 0, 0, 0, errors.New("the server set reserved bits")
	case b[1]&0x80 != 0:
		return false, 0, 0, 0, errors.New("the server masked a frame")
	}
	n = 2
	switch l7 := b[1] & 0x7f; l7 {
	case 126:
		if len(b) < 4 {
			return false, 0, 0, 0, errWSIncomplete
		}
		length, n = int64(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return false, 0, 0, 0, errWSIncomplete
		}
		l := binary.BigEndian.Uint64(b[2:])
		if l>>63 != 0 {
			return false, 0, 0, 0, errors.New("frame length with its high bit set")
		}
		length, n = int64(l), 10
	default:
		length = int64(l7)
	}
	return fin, op, length, n, nil
}
