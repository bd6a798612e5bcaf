package aiohttp

import (
	"bufio"
	"context"
	"net"
	"os"
	"time"

	"github.com/asyncio-go/asyncio"
)

// The methods http.ResponseController looks for, and Hijack.

// EnableFullDuplex implements the http.ResponseController method. The
// server always lets a handler read the request body while it writes the
// response, so there is nothing to enable.
func (w *response) EnableFullDuplex() error { return nil }

// SetReadDeadline implements the http.ResponseController method: reads of
// the request body after t fail with os.ErrDeadlineExceeded. The zero time
// clears the deadline.
func (w *response) SetReadDeadline(t time.Time) error {
	return w.onLoopErr(func() {
		w.readTimedOut = false
		w.readTimer = w.setDeadline(w.readTimer, t, func() {
			w.readTimedOut = true
			w.c.dataEv.Set()
		})
	})
}

// SetWriteDeadline implements the http.ResponseController method: writes
// after t fail with os.ErrDeadlineExceeded. The zero time clears the
// deadline.
func (w *response) SetWriteDeadline(t time.Time) error {
	return w.onLoopErr(func() {
		w.writeTimedOut = false
		w.writeTimer = w.setDeadline(w.writeTimer, t, func() {
			w.writeTimedOut = true
			w.c.writeEv.Set()
		})
	})
}

// setDeadline replaces a deadline's timer with one for t on the loop's
// clock, which runs expire.
func (w *response) setDeadline(old *asyncio.TimerHandle, t time.Time, expire func()) *asyncio.TimerHandle {
	if old != nil {
		old.Cancel()
	}
	if t.IsZero() {
		return nil
	}
	return w.c.srv.loop.CallLater(max(time.Until(t), 0), expire)
}

func (w *response) stopDeadlines() {
	if w.readTimer != nil {
		w.readTimer.Cancel()
	}
	if w.writeTimer != nil {
		w.writeTimer.Cancel()
	}
}

// onLoopErr runs fn on the loop, from the request's task or another
// goroutine.
func (w *response) onLoopErr(fn func()) error {
	if asyncio.InTask(w.ctx) {
		fn()
		return nil
	}
	_, err := onLoop(w.c, w.ctx, func(context.Context) (struct{}, error) { fn(); return struct{}{}, nil })
	return err
}

// Hijack implements http.Hijacker: see hijack.go.
func (w *response) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if asyncio.InTask(w.ctx) {
		return w.hijack()
	}
	type result struct {
		c  net.Conn
		rw *bufio.ReadWriter
	}
	r, err := onLoop(w.c, w.ctx, func(context.Context) (result, error) {
		c, rw, err := w.hijack()
		return result{c, rw}, err
	})
	return r.c, r.rw, err
}

// writeExpired is what a write past the write deadline returns. As with
// net/http, the connection is done for: what it could not send is dropped.
func (w *response) writeExpired() error {
	w.closeAfter = true
	w.c.state = stateClosed
	w.c.t.Abort()
	return os.ErrDeadlineExceeded
}
