package aiohttp

import (
	"net/http"
	"time"
)

// dateCache holds the Date header's value, formatted at most once a second.
// It belongs to the loop.
type dateCache struct {
	sec int64
	b   []byte
}

// append appends the current date in HTTP's format to b.
func (d *dateCache) append(b []byte) []byte {
	now := time.Now()
	if sec := now.Unix(); sec != d.sec || d.b == nil {
		d.sec = sec
		d.b = now.UTC().AppendFormat(d.b[:0], http.TimeFormat)
	}
	return append(b, d.b...)
}
