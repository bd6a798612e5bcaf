package aiohttp

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

var writeBufPool = sync.Pool{New: func() any { b := make([]byte, 0, writeBufSize); return &b }}

// headBufPool holds buffers for a response's head and the body buffered
// behind it, sent in one write.
var headBufPool = sync.Pool{New: func() any { b := make([]byte, 0, 2*writeBufSize); return &b }}

// sniffLen is how much of a body http.DetectContentType looks at.
const sniffLen = 512

// writeBufSize is how much of a response body is buffered before the head
// goes out: a handler that writes less and returns gets a Content-Length.
const writeBufSize = 4 << 10

// response is the http.ResponseWriter of a request. Its methods run on the
// loop, in the request's task, or are handed to the loop when called from
// another goroutine (a Threaded handler).
type response struct {
	c   *conn
	req *http.Request
	ctx context.Context

	header      http.Header
	status      int
	wroteHeader bool // the handler's final status is set
	headSent    bool // the head has gone to the transport
	chunked     bool
	closeAfter  bool
	continued   bool  // 100 Continue was sent
	declared    int64 // the handler's Content-Length, or -1
	written     int64 // body bytes the handler wrote
	handlerDone bool
	hijacked    bool
	isHead      bool
	// Fields the handler set, noted when the head is frozen.
	hasType, hasDate, hasTE, hasConn bool
	trailers                         []string // declared with "Trailer"

	// head holds the frozen head until it is sent, and stages what goes
	// to the transport; it comes from headBufPool.
	head    []byte
	headRef *[]byte
	buf     []byte // body bytes not yet sent, from writeBufPool
	bufRef  *[]byte
	keys    []string

	readTimedOut, writeTimedOut bool
	readTimer, writeTimer       *asyncio.TimerHandle
}

func (w *response) reset(c *conn, r *http.Request) {
	*w = response{c: c, req: r, ctx: r.Context(), declared: -1, isHead: r.Method == http.MethodHead,
		keys: w.keys[:0]}
}

// Header implements http.ResponseWriter.
func (w *response) Header() http.Header {
	if w.header == nil {
		w.header = make(http.Header)
	}
	return w.header
}

// WriteHeader implements http.ResponseWriter. Informational statuses
// (1xx but 101) are sent at once with the header as it is, any number of
// times, as net/http does.
func (w *response) WriteHeader(code int) {
	if asyncio.InTask(w.ctx) {
		w.writeHeader(code)
		return
	}
	_, _ = onLoop(w.c, w.ctx, func(context.Context) (struct{}, error) {
		w.writeHeader(code)
		return struct{}{}, nil
	})
}

func (w *response) writeHeader(code int) {
	if w.hijacked || w.wroteHeader {
		return
	}
	if code < 100 || code > 999 {
		panic("invalid WriteHeader code " + strconv.Itoa(code))
	}
	if code >= 100 && code <= 199 && code != http.StatusSwitchingProtocols {
		if code == http.StatusContinue && w.continued {
			return
		}
		b := http1.AppendStatusLine(nil, 1, code)
		b = w.appendFields(b)
		b = append(b, '\r', '\n')
		_ = w.c.t.Write(b)
		if code == http.StatusContinue {
			w.continued = true
		}
		return
	}
	w.wroteHeader = true
	w.status = code
	w.freeze()
}

// freeze writes the status line and the handler's fields into w.head, so
// that later changes to the header map do not show, as net/http promises,
// and notes the fields that decide the framing.
func (w *response) freeze() {
	h := w.header
	if cl := h.Get("Content-Length"); cl != "" {
		if n, err := strconv.ParseInt(cl, 10, 64); err == nil && n >= 0 {
			w.declared = n
		} else {
			delete(h, "Content-Length")
		}
	}
	_, w.hasType = h["Content-Type"]
	_, w.hasDate = h["Date"]
	if te := h.Get("Transfer-Encoding"); te != "" {
		w.hasTE = true
		if strings.EqualFold(te, "chunked") && w.req.ProtoMinor == 1 {
			w.chunked = true
		}
		delete(h, "Content-Length")
		w.declared = -1
	}
	if v := h["Connection"]; len(v) > 0 {
		w.hasConn = true
		for _, s := range v {
			if strings.Contains(strings.ToLower(s), "close") {
				w.closeAfter = true
			}
		}
	}
	for _, v := range h["Trailer"] {
		for k := range strings.SplitSeq(v, ",") {
			if k = strings.TrimSpace(k); k != "" {
				w.trailers = append(w.trailers, http.CanonicalHeaderKey(k))
			}
		}
	}
	if w.headRef == nil {
		w.headRef = headBufPool.Get().(*[]byte)
		w.head = *w.headRef
	}
	w.head = http1.AppendStatusLine(w.head[:0], w.req.ProtoMinor, w.status)
	w.head = w.appendFields(w.head)
}

// appendFields appends the header map's fields, sorted by name as
// net/http writes them, leaving out trailers and invalid names.
func (w *response) appendFields(b []byte) []byte {
	keys := w.keys[:0]
	for k := range w.header {
		if strings.HasPrefix(k, http.TrailerPrefix) || k == "Transfer-Encoding" || !http1.ValidHeaderName(k) {
			continue
		}
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range w.header[k] {
			b = http1.AppendHeader(b, k, v)
		}
	}
	w.keys = keys[:0]
	return b
}

// bodyAllowed reports whether the status lets the response have a body.
func (w *response) bodyAllowed() bool {
	return !(w.status >= 100 && w.status <= 199 || w.status == 204 || w.status == 304)
}

// Write implements http.ResponseWriter.
func (w *response) Write(p []byte) (int, error) {
	if asyncio.InTask(w.ctx) {
		return w.write(w.ctx, p)
	}
	return onLoop(w.c, w.ctx, func(ctx context.Context) (int, error) { return w.write(ctx, p) })
}

func (w *response) write(ctx context.Context, p []byte) (int, error) {
	if w.hijacked {
		return 0, http.ErrHijacked
	}
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !w.bodyAllowed() {
		return 0, http.ErrBodyNotAllowed
	}
	if w.declared >= 0 && w.written+int64(len(p)) > w.declared {
		return 0, http.ErrContentLength
	}
	w.written += int64(len(p))
	if w.isHead {
		// No body goes out, but as in net/http its start decides the
		// Content-Type, and its size whether there is a Content-Length.
		if !w.headSent {
			if len(w.buf) < sniffLen {
				w.getBuf()
				w.buf = append(w.buf, p[:min(len(p), sniffLen-len(w.buf))]...)
			}
			if w.written > writeBufSize {
				return len(p), w.send(nil)
			}
		}
		return len(p), nil
	}
	if len(w.buf)+len(p) <= writeBufSize {
		w.getBuf()
		w.buf = append(w.buf, p...)
		return len(p), nil
	}
	if err := w.send(p); err != nil {
		return 0, err
	}
	return len(p), w.drain(ctx)
}

// WriteString implements io.StringWriter, sparing a handler that writes
// strings (io.WriteString, fmt.Fprint) a conversion.
func (w *response) WriteString(s string) (int, error) {
	if asyncio.InTask(w.ctx) && !w.hijacked && w.wroteHeader && w.bodyAllowed() && !w.isHead &&
		(w.declared < 0 || w.written+int64(len(s)) <= w.declared) && len(w.buf)+len(s) <= writeBufSize {
		w.getBuf()
		w.buf = append(w.buf, s...)
		w.written += int64(len(s))
		return len(s), nil
	}
	if !w.wroteHeader && asyncio.InTask(w.ctx) {
		w.writeHeader(http.StatusOK)
		if w.bodyAllowed() && !w.isHead && !w.hijacked {
			return w.WriteString(s)
		}
	}
	return w.Write([]byte(s))
}

// send sends the head if it has not gone yet, what is buffered, and p.
func (w *response) send(p []byte) error {
	c := w.c
	if c.t.IsClosing() {
		return c.writeFailed()
	}
	if w.writeTimedOut {
		return w.writeExpired()
	}
	out := w.head[:0]
	if !w.headSent {
		out = w.finishHead(false, p)
		w.headSent = true
	}
	if w.isHead {
		w.buf, p = w.buf[:0], nil
	}
	n := len(w.buf) + len(p)
	if w.chunked && n > 0 {
		out = http1.AppendChunkHeader(out, n)
	}
	if len(w.buf) > 0 {
		out = append(out, w.buf...)
		w.buf = w.buf[:0]
	}
	if len(p) <= writeBufSize {
		out = append(out, p...)
		p = nil
	}
	if w.chunked && n > 0 && p == nil {
		out = append(out, '\r', '\n')
	}
	w.head = out[:0]
	if len(out) > 0 {
		if err := c.t.Write(out); err != nil {
			return c.writeFailed()
		}
	}
	if len(p) > 0 {
		if err := c.t.Write(p); err != nil {
			return c.writeFailed()
		}
		if w.chunked {
			_ = c.t.Write(crlf)
		}
	}
	return nil
}

var crlf = []byte("\r\n")

// finishHead completes the frozen head with the fields the server adds,
// now that it knows whether the handler is done (final), and returns it.
// pending is what the handler is writing, if nothing is buffered.
func (w *response) finishHead(final bool, pending []byte) []byte {
	b := w.head
	c := w.c
	switch {
	case !w.bodyAllowed():
	case w.hasTE:
		// The handler asked for chunking; net/http writes the field
		// itself, and only where a body may follow.
		if w.chunked && !w.isHead {
			b = append(b, "Transfer-Encoding: chunked\r\n"...)
		}
	case w.declared >= 0: // the handler's own, among the fields
	case final && len(w.trailers) == 0 && (!w.isHead || w.written > 0):
		w.declared = w.written
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, w.written, 10)
		b = append(b, '\r', '\n')
	case w.isHead:
	case w.req.ProtoMinor == 1:
		w.chunked = true
		b = append(b, "Transfer-Encoding: chunked\r\n"...)
	default:
		// HTTP/1.0 has no chunking: the body ends with the connection.
		w.closeAfter = true
	}
	if !w.hasType && w.bodyAllowed() && !w.hasTE {
		// The body's start is what is buffered, or else what the
		// handler is writing now.
		sniff := w.buf
		if len(sniff) == 0 {
			sniff = pending
		}
		if len(sniff) > 0 {
			b = http1.AppendHeader(b, "Content-Type", http.DetectContentType(sniff[:min(len(sniff), sniffLen)]))
		}
	}
	if !w.hasDate {
		b = append(b, "Date: "...)
		b = c.srv.date.append(b)
		b = append(b, '\r', '\n')
	}
	if !c.ex.keepAlive || c.closing || c.eof {
		w.closeAfter = true
	}
	if b := c.ex.body; final && b != nil && !b.done && b.kind == http1.ContentLength && b.left > maxDiscard {
		// Too much body left unread to drop: announce the close, as
		// net/http does.
		w.closeAfter = true
	}
	if c.ex.expect && !w.continued && c.ex.body != nil && !c.ex.body.done {
		// The client may or may not send the body it asked about: the
		// connection cannot be trusted to frame a next request.
		w.closeAfter = true
	}
	if w.closeAfter {
		if !w.hasConn {
			b = append(b, "Connection: close\r\n"...)
		}
	} else if w.req.ProtoMinor == 0 && !w.hasConn {
		b = append(b, "Connection: keep-alive\r\n"...)
	}
	return append(b, '\r', '\n')
}

// drain waits while the transport's buffer is above its high-water mark.
func (w *response) drain(ctx context.Context) error {
	c := w.c
	for {
		switch {
		case c.lost:
			return errConnClosed
		case w.ctx.Err() != nil:
			return w.ctx.Err()
		case w.writeTimedOut:
			return w.writeExpired()
		case !c.wpaused:
			return nil
		}
		c.writeEv.Clear()
		if err := c.writeEv.Wait(ctx); err != nil {
			return err
		}
	}
}

// Flush implements http.Flusher.
func (w *response) Flush() { _ = w.FlushError() }

// FlushError sends what is buffered, head included; what the handler writes
// after is sent chunked unless it set a Content-Length. http.ResponseController
// calls it.
func (w *response) FlushError() error {
	if asyncio.InTask(w.ctx) {
		return w.flush(w.ctx)
	}
	_, err := onLoop(w.c, w.ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, w.flush(ctx) })
	return err
}

func (w *response) flush(ctx context.Context) error {
	if w.hijacked {
		return http.ErrHijacked
	}
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	if err := w.send(nil); err != nil {
		return err
	}
	return w.drain(ctx)
}

// finish completes the response once the handler has returned.
func (w *response) finish() {
	w.handlerDone = true
	if w.hijacked {
		return
	}
	if !w.wroteHeader {
		w.writeHeader(http.StatusOK)
	}
	c := w.c
	if c.t.IsClosing() {
		return
	}
	if w.isHead {
		w.chunked = false
	}
	if !w.headSent {
		out := w.finishHead(true, nil)
		w.headSent = true
		switch {
		case w.isHead:
		case w.chunked:
			out = w.appendChunk(out)
			out = w.appendLastChunk(out)
		default:
			out = append(out, w.buf...)
		}
		w.buf = w.buf[:0]
		_ = c.t.Write(out)
		w.head = out[:0]
		return
	}
	out := w.head[:0]
	if w.chunked {
		out = w.appendChunk(out)
		out = w.appendLastChunk(out)
	} else {
		out = append(out, w.buf...)
	}
	w.buf = w.buf[:0]
	if len(out) > 0 {
		_ = c.t.Write(out)
	}
	w.head = out[:0]
	if w.declared >= 0 && w.written < w.declared && !w.isHead {
		// The body is shorter than announced: only closing tells.
		w.closeAfter = true
	}
}

func (w *response) appendChunk(b []byte) []byte {
	if len(w.buf) == 0 {
		return b
	}
	b = http1.AppendChunkHeader(b, len(w.buf))
	b = append(b, w.buf...)
	return append(b, '\r', '\n')
}

// appendLastChunk appends the last chunk and the trailers: those declared
// with "Trailer" and those set with http.TrailerPrefix.
func (w *response) appendLastChunk(b []byte) []byte {
	b = append(b, '0', '\r', '\n')
	for _, k := range w.trailers {
		for _, v := range w.header[k] {
			b = http1.AppendHeader(b, k, v)
		}
	}
	for k, vs := range w.header {
		if name, ok := strings.CutPrefix(k, http.TrailerPrefix); ok && http1.ValidHeaderName(name) {
			for _, v := range vs {
				b = http1.AppendHeader(b, name, v)
			}
		}
	}
	return append(b, '\r', '\n')
}

// failInternal replaces the response of a handler that panicked with a
// 500, if nothing was sent yet, and reports whether it could.
func (w *response) failInternal() bool {
	if w.headSent || w.hijacked {
		return false
	}
	w.header = http.Header{"Content-Type": {"text/plain; charset=utf-8"}, "X-Content-Type-Options": {"nosniff"}}
	w.wroteHeader, w.buf, w.declared, w.chunked, w.hasTE = false, w.buf[:0], -1, false, false
	w.trailers = nil
	w.closeAfter = true
	w.writeHeader(http.StatusInternalServerError)
	w.buf = append(w.buf, "Internal Server Error\n"...)
	w.written = int64(len(w.buf))
	return true
}

// getBuf takes a write buffer from the pool if the response has none.
func (w *response) getBuf() {
	if w.bufRef == nil {
		w.bufRef = writeBufPool.Get().(*[]byte)
		w.buf = (*w.bufRef)[:0]
	}
}

// releaseBuf gives the write buffer back once the response is complete,
// so that an idle connection holds none.
func (w *response) releaseBuf() {
	if w.bufRef != nil {
		writeBufPool.Put(w.bufRef)
		w.bufRef = nil
	}
	w.buf = nil
	if w.headRef != nil {
		headBufPool.Put(w.headRef)
		w.headRef = nil
	}
	w.head = nil
}
