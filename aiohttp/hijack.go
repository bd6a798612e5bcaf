package aiohttp

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

// hijack takes the connection away from the server for the handler: the
// transport delivers to a hijackedConn from then on.
func (w *response) hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.hijacked {
		return nil, nil, http.ErrHijacked
	}
	c := w.c
	if c.lost || c.t.IsClosing() {
		return nil, nil, errConnClosed
	}
	if w.wroteHeader {
		if err := w.send(nil); err != nil {
			return nil, nil, err
		}
	}
	w.hijacked, c.hijacked = true, true
	c.dropTimer()
	delete(c.srv.conns, c)
	if c.srv.hijacked == nil {
		c.srv.hijacked = make(map[asyncio.Transport]struct{})
	}
	c.srv.hijacked[c.t] = struct{}{}
	hc := &hijackedConn{
		srv:     c.srv,
		loop:    c.srv.loop,
		t:       c.t,
		ctx:     w.ctx,
		local:   c.t.LocalAddr(),
		remote:  c.t.RemoteAddr(),
		eof:     c.eof,
		wpaused: c.wpaused,
		readEv:  asyncio.NewEvent(),
		writeEv: asyncio.NewEvent(),
	}
	// Bytes the server had read past the head are the handler's now.
	if c.buf != nil && c.r0 < c.r1 {
		hc.in = append([]byte(nil), c.buf[c.r0:c.r1]...)
	}
	c.releaseBuf()
	c.t.SetProtocol(hc)
	if !c.t.IsReading() {
		c.t.ResumeReading()
	}
	return hc, bufio.NewReadWriter(bufio.NewReader(hc), bufio.NewWriter(hc)), nil
}

// hijackedConn is a net.Conn over a transport a handler hijacked. Its
// state belongs to the loop: Read and Write suspend the task of the
// request they were hijacked in when called from it, and are handed to the
// loop with asyncio.SubmitWait from any other goroutine that is not a task
// (a task other than the request's must not call them: that would block
// the loop).
type hijackedConn struct {
	srv           *Server
	loop          *asyncio.Loop
	t             asyncio.Transport
	ctx           context.Context // the request task's
	local, remote net.Addr

	in                 []byte
	eof, lost          bool
	lostErr            error
	closed             bool
	wpaused            bool
	readEv, writeEv    *asyncio.Event
	rdl, wdl           *asyncio.TimerHandle
	rExpired, wExpired bool
}

// ConnectionMade implements asyncio.Protocol; a protocol set by SetProtocol
// gets none.
func (hc *hijackedConn) ConnectionMade(asyncio.Transport) {}

// DataReceived implements asyncio.Protocol.
func (hc *hijackedConn) DataReceived(p []byte) {
	hc.in = append(hc.in, p...)
	if len(hc.in) >= maxBuffered {
		hc.t.PauseReading()
	}
	hc.readEv.Set()
}

// EOFReceived implements asyncio.Protocol: the write side stays open.
func (hc *hijackedConn) EOFReceived() bool {
	hc.eof = true
	hc.readEv.Set()
	return true
}

// ConnectionLost implements asyncio.Protocol.
func (hc *hijackedConn) ConnectionLost(err error) {
	delete(hc.srv.hijacked, hc.t)
	hc.lost, hc.lostErr = true, err
	hc.readEv.Set()
	hc.writeEv.Set()
	hc.stopTimers()
}

// PauseWriting implements asyncio.WriteFlowControl.
func (hc *hijackedConn) PauseWriting() { hc.wpaused = true; hc.writeEv.Clear() }

// ResumeWriting implements asyncio.WriteFlowControl.
func (hc *hijackedConn) ResumeWriting() { hc.wpaused = false; hc.writeEv.Set() }

// do runs fn on the loop: in the request's task if that is the caller,
// else as a task the calling goroutine waits for.
func hijackDo[T any](hc *hijackedConn, fn func(ctx context.Context) (T, error)) (T, error) {
	if asyncio.InTask(hc.ctx) {
		return fn(hc.ctx)
	}
	return asyncio.SubmitWait(context.Background(), hc.loop, fn)
}

// Read implements net.Conn.
func (hc *hijackedConn) Read(p []byte) (int, error) {
	return hijackDo(hc, func(ctx context.Context) (int, error) {
		for {
			if hc.closed {
				return 0, net.ErrClosed
			}
			if len(hc.in) > 0 {
				n := copy(p, hc.in)
				hc.in = hc.in[n:]
				if len(hc.in) == 0 {
					hc.in = nil
				}
				if !hc.lost && !hc.t.IsReading() && len(hc.in) < maxBuffered/2 {
					hc.t.ResumeReading()
				}
				return n, nil
			}
			if len(p) == 0 {
				return 0, nil
			}
			if hc.eof || hc.lost {
				if hc.lostErr != nil {
					return 0, hc.lostErr
				}
				return 0, io.EOF
			}
			if hc.rExpired {
				return 0, os.ErrDeadlineExceeded
			}
			hc.readEv.Clear()
			if err := hc.readEv.Wait(ctx); err != nil {
				return 0, err
			}
		}
	})
}

// Write implements net.Conn: it returns once the transport's buffer is
// below its high-water mark.
func (hc *hijackedConn) Write(p []byte) (int, error) {
	return hijackDo(hc, func(ctx context.Context) (int, error) {
		if hc.closed {
			return 0, net.ErrClosed
		}
		if hc.wExpired {
			return 0, os.ErrDeadlineExceeded
		}
		if err := hc.t.Write(p); err != nil {
			return 0, err
		}
		for hc.wpaused && !hc.lost && !hc.closed {
			if hc.wExpired {
				return len(p), os.ErrDeadlineExceeded
			}
			hc.writeEv.Clear()
			if err := hc.writeEv.Wait(ctx); err != nil {
				return len(p), err
			}
		}
		return len(p), nil
	})
}

// Close implements net.Conn: the connection closes once what is written
// is sent.
func (hc *hijackedConn) Close() error {
	_, err := hijackDo(hc, func(context.Context) (struct{}, error) {
		if hc.closed {
			return struct{}{}, net.ErrClosed
		}
		hc.closed = true
		hc.stopTimers()
		hc.readEv.Set()
		hc.writeEv.Set()
		return struct{}{}, hc.t.Close()
	})
	return err
}

// LocalAddr implements net.Conn.
func (hc *hijackedConn) LocalAddr() net.Addr { return hc.local }

// RemoteAddr implements net.Conn.
func (hc *hijackedConn) RemoteAddr() net.Addr { return hc.remote }

// SetDeadline implements net.Conn.
func (hc *hijackedConn) SetDeadline(t time.Time) error {
	if err := hc.SetReadDeadline(t); err != nil {
		return err
	}
	return hc.SetWriteDeadline(t)
}

// SetReadDeadline implements net.Conn, with a timer on the loop's clock.
func (hc *hijackedConn) SetReadDeadline(t time.Time) error {
	_, err := hijackDo(hc, func(context.Context) (struct{}, error) {
		hc.rExpired = false
		hc.rdl = hc.deadline(hc.rdl, t, func() { hc.rExpired = true; hc.readEv.Set() })
		return struct{}{}, nil
	})
	return err
}

// SetWriteDeadline implements net.Conn, with a timer on the loop's clock.
func (hc *hijackedConn) SetWriteDeadline(t time.Time) error {
	_, err := hijackDo(hc, func(context.Context) (struct{}, error) {
		hc.wExpired = false
		hc.wdl = hc.deadline(hc.wdl, t, func() { hc.wExpired = true; hc.writeEv.Set() })
		return struct{}{}, nil
	})
	return err
}

func (hc *hijackedConn) deadline(old *asyncio.TimerHandle, t time.Time, expire func()) *asyncio.TimerHandle {
	if old != nil {
		old.Cancel()
	}
	if t.IsZero() {
		return nil
	}
	return hc.loop.CallLater(max(time.Until(t), 0), expire)
}

func (hc *hijackedConn) stopTimers() {
	if hc.rdl != nil {
		hc.rdl.Cancel()
	}
	if hc.wdl != nil {
		hc.wdl.Cancel()
	}
}
