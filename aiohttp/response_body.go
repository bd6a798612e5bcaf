package aiohttp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
	"github.com/klauspost/compress/zstd"
)

// newResponse turns the parsed head in c into an http.Response whose
// body reads from c, and consumes the head.
func (s *Session) newResponse(bodyCtx context.Context, c *clientConn, req *http.Request, rh *parsedHead, dl deadlines, addedGzip bool) (*http.Response, error) {
	f, err := rh.BodyFraming(req.Method)
	if err != nil {
		return nil, &ProtocolError{Err: err}
	}
	// The response and its body reader are one allocation.
	a := new(responseAlloc)
	resp := &a.resp
	*resp = http.Response{
		StatusCode: rh.StatusCode,
		Status:     statusString(rh.StatusCode, rh.Reason),
		Proto:      "HTTP/1.1",
		ProtoMajor: 1, ProtoMinor: rh.ProtoMinor,
		Header:        responseHeader(rh.Headers),
		Request:       req,
		ContentLength: -1,
	}
	if rh.ProtoMinor != 1 {
		resp.Proto = "HTTP/1." + strconv.Itoa(rh.ProtoMinor)
	}
	switch f.Kind {
	case http1.ContentLength:
		resp.ContentLength = f.Length
	case http1.NoBody:
		if req.Method == http.MethodHead {
			resp.ContentLength = f.Length
		} else {
			resp.ContentLength = 0
		}
	case http1.Chunked:
		resp.TransferEncoding = []string{"chunked"}
		resp.Header.Del("Content-Length")
	}
	// After 101 Switching Protocols the connection speaks something else,
	// which this client does not: it is closed.
	resp.Close = f.Close || req.Close || rh.StatusCode == http.StatusSwitchingProtocols
	c.consume(rh.headLen)
	b := &a.body
	*b = responseBody{resp: resp, s: s, c: c, ctx: bodyCtx, l: s.loop, kind: f.Kind, left: f.Length, close: resp.Close, dl: dl}
	if f.Kind == http1.NoBody {
		b.finish()
		resp.Body = http.NoBody
		return resp, nil
	}
	resp.Body = b
	if addedGzip {
		switch enc := strings.ToLower(resp.Header.Get("Content-Encoding")); enc {
		case "gzip", "deflate", "br", "zstd":
			resp.Body = &decodedBody{responseBody: b, encoding: enc}
		default:
			return resp, nil
		}
		resp.Header.Del("Content-Encoding")
		resp.Header.Del("Content-Length")
		resp.ContentLength = -1
		resp.Uncompressed = true
	}
	return resp, nil
}

// responseBody reads a response body from its connection, as its framing says.
// Its Read suspends the task of its ctx, or, called from a plain goroutine,
// runs the read as a task on the session's loop and blocks.
type responseBody struct {
	resp  *http.Response
	s     *Session
	c     *clientConn // nil once the body is done or released
	ctx   context.Context
	l     *asyncio.Loop
	kind  http1.Framing
	left  int64 // ContentLength: bytes left
	raw   int   // Chunked: data the decoder passed but Read did not yet copy
	dec   http1.ChunkedDecoder
	close bool
	dl    deadlines
	err   error // io.EOF once done
}

// withCtx makes later reads use ctx.
func (b *responseBody) withCtx(ctx context.Context) { b.ctx = ctx }

func (b *responseBody) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	ctx := b.ctx
	if asyncio.InTask(ctx) {
		return b.read(ctx, p)
	}
	type result struct {
		n   int
		err error
	}
	ctx, stop := waitable(ctx)
	defer stop()
	r, err := asyncio.SubmitWait(ctx, b.l, func(ctx context.Context) (result, error) {
		n, err := b.read(ctx, p)
		return result{n, err}, nil
	}, asyncio.Name("aiohttp body read"))
	if err != nil {
		b.l.CallSoonThreadsafe(func() { b.fail(err) })
		return 0, err
	}
	return r.n, r.err
}

// read runs on the loop.
func (b *responseBody) read(ctx context.Context, p []byte) (int, error) {
	for {
		if b.err != nil {
			return 0, b.err
		}
		c := b.c
		n, err := b.take(p)
		if n > 0 || err != nil {
			if err != nil && err != io.EOF {
				b.fail(err)
			}
			return n, err
		}
		if c.atEnd() {
			if b.kind == http1.UntilClose && (!c.closed || c.lost == io.EOF) {
				b.finish()
				return 0, io.EOF
			}
			err := error(ErrServerDisconnected)
			if c.closed && c.lost != io.EOF {
				err = &ServerDisconnectedError{Err: c.lost}
			}
			b.fail(err)
			return 0, err
		}
		by, kind := b.dl.after(b.l, b.dl.timeouts.SockRead, "sock_read")
		if err := c.waitData(ctx, len(c.data()), by, kind); err != nil {
			b.fail(err)
			return 0, err
		}
	}
}

// take copies body bytes the connection holds into p. It returns 0 and
// nil when it needs more bytes.
func (b *responseBody) take(p []byte) (int, error) {
	c := b.c
	data := c.data()
	switch b.kind {
	case http1.ContentLength:
		n := copy(p, data[:min(int64(len(data)), b.left)])
		c.consume(n)
		if b.left -= int64(n); b.left == 0 {
			b.finish()
		}
		return n, nil
	case http1.UntilClose:
		n := copy(p, data)
		c.consume(n)
		return n, nil
	}
	// Chunked.
	if b.raw > 0 {
		n := copy(p, data[:b.raw])
		c.consume(n)
		b.raw -= n
		return n, nil
	}
	for {
		chunk, k, err := b.dec.Decode(c.data())
		skip := k - len(chunk)
		n := copy(p, chunk)
		c.consume(skip + n)
		b.raw = len(chunk) - n
		switch {
		case err == io.EOF:
			for _, h := range b.dec.Trailers() {
				if b.resp.Trailer == nil {
					b.resp.Trailer = http.Header{}
				}
				b.resp.Trailer.Add(string(h.Name), string(h.Value))
			}
			b.finish()
			if n > 0 {
				return n, nil
			}
			return 0, io.EOF
		case err == http1.ErrIncomplete:
			return n, nil
		case err != nil:
			return n, &ProtocolError{Err: err}
		case n > 0:
			return n, nil
		}
	}
}

// finish ends a fully read body: its connection goes back to the pool.
func (b *responseBody) finish() {
	if b.err == nil {
		b.err = io.EOF
	}
	if c := b.c; c != nil {
		b.c = nil
		if b.close {
			c.abort()
			b.s.pool.drop(c)
		} else {
			b.s.pool.put(c)
		}
	}
}

// fail ends the body with err; its connection is aborted, never reused.
func (b *responseBody) fail(err error) {
	if b.err == nil || b.err == io.EOF && b.c != nil {
		b.err = err
	}
	if c := b.c; c != nil {
		b.c = nil
		c.abort()
		b.s.pool.drop(c)
	}
}

// Close releases the body: a connection whose body was not read to its
// end is closed, since what is left of the body would come first on it.
func (b *responseBody) Close() error {
	if b.c == nil {
		return nil
	}
	if asyncio.InTask(b.ctx) {
		b.fail(errReleased)
		return nil
	}
	b.l.CallSoonThreadsafe(func() { b.fail(errReleased) })
	return nil
}

// decodedBody is a body in a content coding, decoded as it is read. The
// decoder starts at the first Read, since it reads the stream's header.
type decodedBody struct {
	*responseBody
	encoding string
	r        io.Reader
	zstd     *zstd.Decoder
	err      error
}

func (d *decodedBody) Read(p []byte) (int, error) {
	if d.r == nil && d.err == nil {
		switch d.encoding {
		case "gzip":
			d.r, d.err = gzip.NewReader(d.responseBody)
		case "deflate":
			d.r, d.err = newDeflateReader(d.responseBody)
		case "br":
			d.r = brotli.NewReader(d.responseBody)
		case "zstd":
			// One goroutine's worth of concurrency decodes in the caller,
			// starting none.
			d.zstd, d.err = zstd.NewReader(d.responseBody, zstd.WithDecoderConcurrency(1))
			d.r = d.zstd
		}
	}
	if d.err != nil {
		return 0, d.err
	}
	return d.r.Read(p)
}

// newDeflateReader decodes HTTP's deflate coding, which is the zlib
// format (RFC 9110, 8.4.1.2), as aiohttp's server and most others send
// it; some servers send raw deflate data instead, as browsers tolerate.
// The first two bytes tell which: a zlib header names the deflate method
// and is a multiple of 31.
func newDeflateReader(r io.Reader) (io.Reader, error) {
	var hdr [2]byte
	n, err := io.ReadFull(r, hdr[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	r = io.MultiReader(bytes.NewReader(hdr[:n]), r)
	if n == 2 && hdr[0]&0x0f == 8 && (uint16(hdr[0])<<8|uint16(hdr[1]))%31 == 0 {
		return zlib.NewReader(r)
	}
	return flate.NewReader(r), nil
}

// Close releases the body and the decoder.
func (d *decodedBody) Close() error {
	if d.zstd != nil {
		d.zstd.Close()
	}
	return d.responseBody.Close()
}

// responseAlloc is what newResponse allocates, in one piece.
type responseAlloc struct {
	resp http.Response
	body responseBody
}

// maxPresize bounds the buffer readAll allocates up front from a
// Content-Length, which the server may have made up.
const maxPresize = 1 << 20

// readAll is io.ReadAll for a body of size bytes (-1: unknown): it reads
// into one buffer of the right size, not one that starts at 512 bytes and
// grows, with a byte to spare so that the final io.EOF needs no growth.
func readAll(r io.Reader, size int64) ([]byte, error) {
	if size < 0 {
		return io.ReadAll(r)
	}
	b := make([]byte, 0, min(size, maxPresize)+1)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// responseHeader copies the fields of a response head, which lie in the
// connection's read buffer, into a header. All the values are substrings
// of one string and each name's slice takes one element of one backing
// array, capped so that an append cannot spill over: three allocations
// for the values of a head, not two per field.
func responseHeader(fields []http1.Header) http.Header {
	h := make(http.Header, len(fields))
	if len(fields) == 0 {
		return h
	}
	n := 0
	for _, f := range fields {
		n += len(f.Value)
	}
	var sb strings.Builder
	sb.Grow(n)
	for _, f := range fields {
		sb.Write(f.Value)
	}
	all := sb.String()
	vals := make([]string, len(fields))
	for i, f := range fields {
		v := all[:len(f.Value)]
		all = all[len(f.Value):]
		name := headerKey(f.Name)
		if old, ok := h[name]; ok {
			h[name] = append(old, v)
			continue
		}
		vals[i] = v
		h[name] = vals[i : i+1 : i+1]
	}
	return h
}

// statusString is an http.Response's Status: the code and the reason.
// The usual line, a code with its standard reason, is a string made once.
func statusString(code int, reason []byte) string {
	if text := http.StatusText(code); text != "" && (len(reason) == 0 || string(reason) == text) {
		if s, ok := standardStatus[code]; ok {
			return s
		}
	}
	if len(reason) == 0 {
		return strconv.Itoa(code)
	}
	return strconv.Itoa(code) + " " + string(reason)
}

// standardStatus maps each code net/http knows to "CODE Reason".
var standardStatus = func() map[int]string {
	m := make(map[int]string)
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			m[code] = strconv.Itoa(code) + " " + text
		}
	}
	return m
}()

// headerKey returns the canonical form of a header name, without
// allocating for the common ones.
func headerKey(b []byte) string {
	switch string(b) {
	case "Content-Type", "content-type":
		return "Content-Type"
	case "Content-Length", "content-length":
		return "Content-Length"
	case "Date", "date":
		return "Date"
	case "Server", "server":
		return "Server"
	case "Connection", "connection":
		return "Connection"
	case "Transfer-Encoding", "transfer-encoding":
		return "Transfer-Encoding"
	case "Content-Encoding", "content-encoding":
		return "Content-Encoding"
	case "Cache-Control", "cache-control":
		return "Cache-Control"
	case "Location", "location":
		return "Location"
	case "Set-Cookie", "set-cookie":
		return "Set-Cookie"
	case "Vary", "vary":
		return "Vary"
	case "Etag", "ETag", "etag":
		return "Etag"
	case "Last-Modified", "last-modified":
		return "Last-Modified"
	case "Keep-Alive", "keep-alive":
		return "Keep-Alive"
	}
	return http.CanonicalHeaderKey(string(b))
}
