package asyncio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// sendfileChunk is how much the fallback reads from the file at a time.
const sendfileChunk = 256 << 10

// errNoNativeSendfile says the kernel cannot send this file on this
// transport, so Sendfile falls back to reading and writing.
var errNoNativeSendfile = errors.New("asyncio: no native sendfile here")

// ErrSendfileInProgress is returned by writes to a transport while
// Sendfile sends a file on it with the kernel's sendfile.
var ErrSendfileInProgress = errors.New("asyncio: sendfile in progress")

// Sendfile sends count bytes of f, from offset on, over t, and returns how
// many it sent (loop.sendfile). count ≤ 0 sends to the end of the file.
// On the poller backend, a plain socket transport lets the kernel copy
// from the file to the socket (sendfile(2)), once what t had buffered is
// sent; writes to t fail with ErrSendfileInProgress meanwhile. Elsewhere
// (TLS, pipes, the portable backend) it falls back, as asyncio does, to
// reading the file off the loop and writing it with backpressure. Either
// way f's offset ends just past what was sent.
func Sendfile(ctx context.Context, t Transport, f *os.File, offset, count int64) (int64, error) {
	tr, ok := t.(transport)
	if !ok {
		return 0, fmt.Errorf("asyncio: Sendfile on a %T, not a transport of this package", t)
	}
	if offset < 0 {
		return 0, fmt.Errorf("asyncio: Sendfile offset %d < 0", offset)
	}
	if t.IsClosing() {
		return 0, ErrTransportClosing
	}
	sent, err := sendfileNative(ctx, tr, f, offset, count)
	if errors.Is(err, errNoNativeSendfile) {
		var more int64
		more, err = sendfileFallback(ctx, tr, f, offset+sent, count-sent)
		sent += more
	}
	if sent > 0 {
		f.Seek(offset+sent, io.SeekStart)
	}
	return sent, err
}

// sendfileFallback reads the file on the executor and writes it to t,
// waiting whenever t's buffer passes its high-water mark.
func sendfileFallback(ctx context.Context, t transport, f *os.File, offset, count int64) (int64, error) {
	var sent int64
	buf := make([]byte, sendfileChunk)
	for count <= 0 || sent < count {
		want := int64(len(buf))
		if count > 0 {
			want = min(want, count-sent)
		}
		n, err := ToThread(ctx, func() (int, error) {
			n, err := f.ReadAt(buf[:want], offset+sent)
			if err == io.EOF {
				err = nil
			}
			return n, err
		})
		if err != nil {
			return sent, err
		}
		if n == 0 {
			break // the end of the file
		}
		if err := t.Write(buf[:n]); err != nil {
			return sent, err
		}
		sent += int64(n)
		high, _ := t.WriteBufferLimits()
		if err := waitBuffered(ctx, t, high); err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// waitBuffered waits until at most n bytes wait in t's buffer, or t is
// lost.
func waitBuffered(ctx context.Context, t transport, n int) error {
	drained := NewFuture[struct{}](ctx)
	t.whenBuffered(n, func() { drained.TrySetResult(struct{}{}) })
	if _, err := drained.Wait(ctx); err != nil {
		return err
	}
	if t.IsClosing() && t.WriteBufferSize() > 0 {
		return ErrTransportClosing
	}
	return nil
}
