package asyncio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
)

// pipeEnd says which end of a pipe a transport drives.
type pipeEnd uint8

const (
	notPipe pipeEnd = iota
	readPipe
	writePipe
)

// errReadOnly is returned by writes to the transport of a read pipe.
var errReadOnly = fmt.Errorf("asyncio: write to a read pipe: %w", errors.ErrUnsupported)

// ConnectReadPipe connects the read end of a pipe (or of a FIFO, a
// character device, a socket) to protocol (loop.connect_read_pipe): its
// data goes to DataReceived, its end to EOFReceived. The transport owns f
// from then on and closes it when the connection ends; Write fails on it.
// At the end of file the transport closes, whatever EOFReceived answers,
// as asyncio's does: a read pipe has no other half to keep open, and its
// descriptor would stay open until the loop closed.
// As in asyncio, ConnectionMade runs in a callback of its own, and
// ConnectReadPipe returns once it has.
func ConnectReadPipe(ctx context.Context, f *os.File, protocol Protocol) (Transport, error) {
	return connectPipe(ctx, f, protocol, readPipe)
}

// ConnectWritePipe connects the write end of a pipe to protocol
// (loop.connect_write_pipe): writes are buffered as on a socket, WriteEOF
// and Close close the pipe once the buffer is sent. On the poller backend,
// the reader closing its end ends the transport at once (ConnectionLost
// gets nil, or a broken-pipe error if data was waiting); the portable
// backend finds out at the next write. The transport owns f from then on.
func ConnectWritePipe(ctx context.Context, f *os.File, protocol Protocol) (Transport, error) {
	return connectPipe(ctx, f, protocol, writePipe)
}

func connectPipe(ctx context.Context, f *os.File, protocol Protocol, end pipeEnd) (Transport, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	var t transport
	if l.portable() {
		ct := newConnTransport(l, &fileConn{f}, protocol)
		ct.pipe = end
		t = ct
	} else {
		ft, err := newPipeTransport(l, f, protocol, end)
		if err != nil {
			return nil, err
		}
		t = ft
	}
	l.track(t)
	// As asyncio does, return once ConnectionMade has run.
	made := NewFuture[struct{}](ctx)
	t.start(func() { made.TrySetResult(struct{}{}) })
	if _, err := made.Wait(ctx); err != nil {
		t.Abort()
		return nil, err
	}
	return t, nil
}

// fileConn lets the portable backend drive a pipe's *os.File as a
// net.Conn.
type fileConn struct {
	*os.File
}

func (c *fileConn) LocalAddr() net.Addr  { return pipeAddr(c.Name()) }
func (c *fileConn) RemoteAddr() net.Addr { return nil }

// pipeAddr names a pipe for LocalAddr.
type pipeAddr string

func (a pipeAddr) Network() string { return "pipe" }
func (a pipeAddr) String() string  { return string(a) }
