//go:build unix

package asyncio

import (
	"context"
	"net"
	"os"

	"golang.org/x/sys/unix"
)

// sendfileNative sends the file with sendfile(2) if t is a plain socket of
// the poller backend; otherwise it sends nothing and returns
// errNoNativeSendfile. It also falls back, having sent nothing, if the
// kernel refuses the file.
func sendfileNative(ctx context.Context, tr transport, f *os.File, offset, count int64) (int64, error) {
	t, ok := tr.(*fdTransport)
	if !ok || t.pipe != notPipe {
		return 0, errNoNativeSendfile
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return 0, errNoNativeSendfile
	}
	if err := waitBuffered(ctx, t, 0); err != nil {
		return 0, err
	}
	if t.closing {
		return 0, ErrTransportClosing
	}
	t.sendfiling = true
	defer func() { t.sendfiling = false }()
	var sent int64
	off := offset
	for count <= 0 || sent < count {
		chunk := 1 << 30
		if count > 0 {
			chunk = int(min(int64(chunk), count-sent))
		}
		var n int
		var serr error
		if cerr := rc.Control(func(src uintptr) { n, serr = unix.Sendfile(t.fd, int(src), &off, chunk) }); cerr != nil {
			return sent, cerr
		}
		switch {
		case serr == unix.EAGAIN || serr == unix.EINTR:
			if err := t.waitWritable(ctx); err != nil {
				return sent, err
			}
			continue
		case serr != nil && sent == 0 && (serr == unix.EINVAL || serr == unix.ENOSYS || serr == unix.EOPNOTSUPP || serr == unix.ENOTSOCK):
			return 0, errNoNativeSendfile
		case serr != nil:
			err := &net.OpError{Op: "sendfile", Net: "tcp", Err: os.NewSyscallError("sendfile", serr)}
			t.fatal(err)
			return sent, err
		case n == 0:
			return sent, nil // the end of the file
		}
		sent += int64(n)
	}
	return sent, nil
}

// waitWritable waits until t's socket is writable, or t is lost.
func (t *fdTransport) waitWritable(ctx context.Context) error {
	ready := NewFuture[struct{}](ctx)
	if err := t.loop.AddWriter(t.fd, func() { ready.TrySetResult(struct{}{}) }); err != nil {
		return err
	}
	t.writing = true                                              // so that losing the connection removes the watch
	t.whenBuffered(-1, func() { ready.TrySetResult(struct{}{}) }) // fires on loss only
	_, err := ready.Wait(ctx)
	t.drainFn = nil
	if t.writing {
		t.loop.RemoveWriter(t.fd)
		t.writing = false
	}
	if err == nil && t.lost {
		err = ErrTransportClosing
	}
	return err
}
