//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// chunked is a BufferedProtocol that offers small buffers of its own.
type chunked struct {
	*recorder
	size    int
	buf     []byte
	hints   int
	dataRcv int // DataReceived calls, which must not come
}

func (c *chunked) GetBuffer(sizeHint int) []byte {
	if sizeHint > 0 {
		c.hints++
	}
	c.buf = make([]byte, c.size)
	return c.buf
}

func (c *chunked) BufferUpdated(n int) { c.recorder.DataReceived(c.buf[:n]) }
func (c *chunked) DataReceived([]byte) { c.dataRcv++ }

func TestBufferedProtocol(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		p := &chunked{recorder: newRecorder(ctx), size: 7}
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return p })
		if err != nil {
			return err
		}
		payload := bytes.Repeat([]byte("buffered!"), 1000)
		tr.Write(payload)
		if err := p.waitData(ctx, len(payload)); err != nil {
			return err
		}
		if !bytes.Equal(p.data, payload) {
			t.Errorf("received %d bytes that differ", len(p.data))
		}
		if p.dataRcv != 0 {
			t.Errorf("DataReceived called %d times on a BufferedProtocol", p.dataRcv)
		}
		if p.hints == 0 {
			t.Error("GetBuffer never got a size hint")
		}
		// No room to read into ends the connection with an error.
		p.size = 0
		tr.Write([]byte("more"))
		if err, _ := p.lost.Wait(ctx); err == nil {
			t.Error("an empty buffer did not end the connection with an error")
		}
		return nil
	})
}
