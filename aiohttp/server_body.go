package aiohttp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp/internal/http1"
)

// maxDiscard is how much of a request body the handler left unread the
// server reads and drops to keep the connection alive, as net/http's
// maxPostHandlerReadBytes; past it, the connection is closed instead.
const maxDiscard = 256 << 10

var errBodyClosed = errors.New("http: invalid Read on closed Body")

// body is a request's body: it reads from its connection's buffer. Read
// suspends the request's task until data arrives, or, called from another
// goroutine (a Threaded handler), hands the read to the loop.
type body struct {
	c    *conn
	ctx  context.Context // the request task's
	req  *http.Request   // whose Trailer receives the trailers
	kind http1.Framing
	left int64 // bytes left of a Content-Length body
	dec  http1.ChunkedDecoder
	done bool  // the whole body has been read
	err  error // the error every later Read returns
	// closed is set by Close: the handler reads no more, and the server
	// may drop the rest.
	closed bool
}

// Read implements io.Reader.
func (b *body) Read(p []byte) (int, error) {
	if asyncio.InTask(b.ctx) {
		return b.read(b.ctx, p)
	}
	return onLoop(b.c, b.ctx, func(ctx context.Context) (int, error) { return b.read(ctx, p) })
}

// Close implements io.Closer. The unread rest is dropped by the server
// after the handler.
func (b *body) Close() error {
	if asyncio.InTask(b.ctx) {
		b.closed = true
		return nil
	}
	_, err := onLoop(b.c, b.ctx, func(context.Context) (struct{}, error) {
		b.closed = true
		return struct{}{}, nil
	})
	return err
}

// read is Read on the loop, in the task of ctx.
func (b *body) read(ctx context.Context, p []byte) (int, error) {
	if b.closed {
		return 0, errBodyClosed
	}
	c := b.c
	for {
		if b.err != nil {
			return 0, b.err
		}
		if len(p) == 0 {
			return 0, nil
		}
		if c.ex.expect && !c.ex.resp.continued && !c.ex.resp.headSent && !c.lost {
			c.ex.resp.continued = true
			_ = c.t.Write([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
		}
		n, err := b.readBuffered(p)
		if n > 0 || err != nil {
			if err != nil {
				b.err = err
			}
			c.resumeReading()
			return n, err
		}
		if c.lost || c.eof {
			b.err = io.ErrUnexpectedEOF
			return 0, b.err
		}
		if c.ex.resp.readTimedOut {
			return 0, os.ErrDeadlineExceeded
		}
		c.dataEv.Clear()
		if err := c.dataEv.Wait(ctx); err != nil {
			return 0, err
		}
		if err := b.ctx.Err(); err != nil {
			return 0, err
		}
	}
}

// readBuffered copies into p what the connection holds of the body.
func (b *body) readBuffered(p []byte) (int, error) {
	c := b.c
	switch b.kind {
	case http1.ContentLength:
		k := min(int64(c.r1-c.r0), b.left, int64(len(p)))
		n := copy(p, c.buf[c.r0:c.r0+int(k)])
		c.r0 += n
		b.left -= int64(n)
		if b.left == 0 {
			b.done = true
			return n, io.EOF
		}
		return n, nil
	case http1.Chunked:
		if c.held > 0 {
			n := copy(p, c.buf[c.r0-c.held:c.r0])
			c.held -= n
			return n, nil
		}
		for c.r0 < c.r1 {
			data, n, err := b.dec.Decode(c.buf[c.r0:c.r1])
			c.r0 += n
			switch err {
			case nil:
				k := copy(p, data)
				c.held = len(data) - k
				return k, nil
			case http1.ErrIncomplete:
				return 0, nil
			case io.EOF:
				b.done = true
				b.setTrailers()
				return 0, io.EOF
			default:
				c.ex.resp.closeAfter = true
				return 0, err
			}
		}
		return 0, nil
	}
	b.done = true
	return 0, io.EOF
}

// setTrailers puts the trailers of a chunked body into the request's
// Trailer, as net/http does once the body is read.
func (b *body) setTrailers() {
	ts := b.dec.Trailers()
	if len(ts) == 0 {
		return
	}
	if b.req.Trailer == nil {
		b.req.Trailer = make(http.Header, len(ts))
	}
	for _, t := range ts {
		k := http.CanonicalHeaderKey(string(t.Name))
		b.req.Trailer[k] = append(b.req.Trailer[k][:len(b.req.Trailer[k]):len(b.req.Trailer[k])], string(t.Value))
	}
}

// discard reads and drops what is left of the body, up to maxDiscard bytes,
// and reports whether it got to the end.
func (b *body) discard(ctx context.Context) bool {
	if b.done {
		return true
	}
	if b.err != nil {
		return false
	}
	if b.kind == http1.ContentLength && b.left > maxDiscard {
		return false
	}
	b.closed = false
	var scratch [512]byte
	var total int
	for total < maxDiscard {
		n, err := b.read(ctx, scratch[:])
		total += n
		if err == io.EOF {
			return true
		}
		if err != nil {
			return false
		}
	}
	return false
}

// onLoop runs fn as a task of c's loop on behalf of a goroutine that is
// not the request's task (a Threaded handler, or one it started), and
// waits for it: all of a connection's state stays on the loop. fn's task
// is not cancelled with the request; the request's end wakes its waits.
func onLoop[T any](c *conn, reqCtx context.Context, fn func(context.Context) (T, error)) (T, error) {
	if err := reqCtx.Err(); err != nil {
		var zero T
		return zero, err
	}
	return asyncio.SubmitWait(context.Background(), c.srv.loop, fn)
}
