package http1

import (
	"net/http"
	"strconv"
)

// AppendStatusLine appends a response's status line, "HTTP/1.1 200 OK"
// and its CRLF, to b. protoMinor is the request's minor version, which the
// response repeats as net/http does. A code with no standard reason phrase
// gets "status code N", as net/http writes it.
func AppendStatusLine(b []byte, protoMinor, code int) []byte {
	if protoMinor == 0 {
		b = append(b, "HTTP/1.0 "...)
	} else {
		b = append(b, "HTTP/1.1 "...)
	}
	if 100 <= code && code <= 999 {
		b = append(b, byte('0'+code/100), byte('0'+code/10%10), byte('0'+code%10))
	} else {
		b = strconv.AppendInt(b, int64(code), 10)
	}
	b = append(b, ' ')
	if text := http.StatusText(code); text != "" {
		b = append(b, text...)
	} else {
		b = append(b, "status code "...)
		b = strconv.AppendInt(b, int64(code), 10)
	}
	return append(b, '\r', '\n')
}

// AppendHeader appends the field "name: value" and its CRLF to b. A CR or
// LF in value becomes a space and leading or trailing whitespace goes, as
// net/http's Header.Write does, so that a value taken from a request cannot
// split the response.
func AppendHeader(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, ':', ' ')
	for len(value) > 0 && (value[0] == ' ' || value[0] == '\t') {
		value = value[1:]
	}
	for len(value) > 0 && (value[len(value)-1] == ' ' || value[len(value)-1] == '\t') {
		value = value[:len(value)-1]
	}
	for i := 0; i < len(value); i++ {
		c := value[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, '\r', '\n')
}

// ValidHeaderName reports whether name is a token that may be sent as a
// field name; net/http drops other names from a response, and so do we.
func ValidHeaderName(name string) bool {
	return name != "" && isToken([]byte(name))
}

// AppendChunkHeader appends the chunk-size line of a chunk of n bytes (n > 0).
func AppendChunkHeader(b []byte, n int) []byte {
	b = strconv.AppendUint(b, uint64(n), 16)
	return append(b, '\r', '\n')
}
