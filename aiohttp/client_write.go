package aiohttp

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// userAgent is sent when the request has no User-Agent.
const defaultUserAgent = "asyncio-go-aiohttp/1"

var requestHeadBufs = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// appendHead appends req's request line and header block to b. absolute
// writes the target in absolute form, for an HTTP proxy. gzip adds
// Accept-Encoding unless the caller set one, and reports whether it did,
// as net/http does: only then is the response decoded for the caller.
func appendHead(b []byte, req *http.Request, absolute bool, proxyAuth string, gzip bool) ([]byte, bool, error) {
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	target := req.URL.RequestURI()
	if absolute {
		u := *req.URL
		u.Fragment, u.RawFragment, u.User = "", "", nil
		target = u.String()
	}
	var err error
	if b, err = http1.AppendRequestLine(b, method, target); err != nil {
		return b, false, err
	}
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	if b, err = http1.AppendHeaderField(b, "Host", host); err != nil {
		return b, false, err
	}
	for name, values := range req.Header {
		switch name {
		case "Host", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		for _, v := range values {
			if b, err = http1.AppendHeaderField(b, name, v); err != nil {
				return b, false, err
			}
		}
	}
	if proxyAuth != "" {
		b = append(b, "Proxy-Authorization: "...)
		b = append(b, proxyAuth...)
		b = append(b, "\r\n"...)
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		b = append(b, "User-Agent: "+defaultUserAgent+"\r\n"...)
	}
	added := false
	if gzip && req.Header.Get("Accept-Encoding") == "" && req.Header.Get("Range") == "" && method != http.MethodHead {
		b = append(b, "Accept-Encoding: gzip, deflate, br, zstd\r\n"...)
		added = true
	}
	if req.Close && req.Header.Get("Connection") == "" {
		b = append(b, "Connection: close\r\n"...)
	}
	switch {
	case requestHasBody(req) && req.ContentLength > 0:
		b = http1.AppendContentLength(b, req.ContentLength)
	case requestHasBody(req):
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	case method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch:
		b = append(b, "Content-Length: 0\r\n"...)
	}
	return append(b, "\r\n"...), added, nil
}

func requestHasBody(req *http.Request) bool { return req.Body != nil && req.Body != http.NoBody }

// writeBody sends req's body: as it is when its length is known, chunked
// otherwise. A body in memory is read in the task; any other reader might
// block, so it is read off the loop.
func writeBody(ctx context.Context, c *clientConn, req *http.Request, dl deadlines) error {
	chunked := req.ContentLength <= 0
	inMemory := req.GetBody != nil || isInMemory(req.Body)
	var buf []byte
	if inMemory {
		bp := readBufPool.Get().(*[]byte)
		defer readBufPool.Put(bp)
		buf = *bp
	} else {
		// Not pooled: a read off the loop may outlive a cancelled request.
		buf = make([]byte, 16<<10)
	}
	var out []byte
	var sent int64
	for {
		var n int
		var err error
		if inMemory {
			n, err = req.Body.Read(buf)
		} else {
			n, err = asyncio.ToThread(ctx, func() (int, error) { return req.Body.Read(buf) })
		}
		if n > 0 {
			sent += int64(n)
			if chunked {
				out = http1.AppendChunk(out[:0], buf[:n])
				if werr := c.write(ctx, out, dl.total); werr != nil {
					return werr
				}
			} else if werr := c.write(ctx, buf[:n], dl.total); werr != nil {
				return werr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if chunked {
		return c.write(ctx, http1.AppendLastChunk(nil), dl.total)
	}
	if sent != req.ContentLength {
		return io.ErrUnexpectedEOF
	}
	return nil
}

// isInMemory reports whether r is one of the readers that never block.
func isInMemory(r io.Reader) bool {
	switch r := r.(type) {
	case *bytes.Reader, *strings.Reader, *bytes.Buffer:
		return true
	case interface{ nonBlocking() bool }:
		return r.nonBlocking()
	}
	return false
}
