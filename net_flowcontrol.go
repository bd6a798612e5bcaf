package asyncio

import (
	"fmt"
	"math"
)

// flowControl is the state every transport keeps for flow control, and
// its rules, those of asyncio's _FlowControlMixin: the protocol is paused
// when the write buffer passes the high mark and resumed when it falls to
// the low one; reading is paused and resumed on request. The stream
// transports of both backends and the datagram endpoints embed it; the
// owner keeps the buffer and passes its size in. Loop only.
//
// closing and lost are here because the rules read them (a closing
// transport does not read, a lost one drains no more), and because their
// four flags then fill the struct's tail: an fdTransport, what an idle
// connection costs, stays at 128 bytes.
type flowControl struct {
	drainFn   func() // see whenSize
	high, low int32  // the write buffer's marks, at most 2 GiB
	drainAt   int32

	paused     bool // the protocol was told to pause writing
	readPaused bool // PauseReading was called
	closing    bool // Close or Abort was called, or the connection failed
	lost       bool // the protocol is told, or was, that the connection is lost
}

// newFlowControl returns the state of a new transport: reading, with the
// default marks.
func newFlowControl() flowControl {
	return flowControl{high: DefaultWriteHigh, low: DefaultWriteLow}
}

// maybePause tells p, the protocol, to pause writing if size bytes
// buffered are more than the high mark and it was not told already. Call
// it whenever the buffer grows. It inlines to a comparison.
func (f *flowControl) maybePause(l *Loop, p any, size int) {
	if !f.paused && size > int(f.high) {
		f.pause(l, p)
	}
}

// pause is maybePause's rare case, out of line so that maybePause inlines.
//
//go:noinline
func (f *flowControl) pause(l *Loop, p any) {
	if flow, ok := p.(WriteFlowControl); ok {
		f.paused = true
		tellFlow(l, flow, true)
	}
}

// maybeResume tells p, the protocol, to resume writing if it was paused
// and size bytes buffered are at most the low mark, then runs the drain
// callback if size is down to its mark. Call it whenever the buffer
// shrinks, once done with the socket: the protocol may write again. It
// inlines to a test of two fields.
func (f *flowControl) maybeResume(l *Loop, p any, size int) {
	if f.paused || f.drainFn != nil {
		f.resume(l, p, size)
	}
}

// resume is maybeResume's rare case, out of line so that maybeResume
// inlines.
//
//go:noinline
func (f *flowControl) resume(l *Loop, p any, size int) {
	if f.paused && size <= int(f.low) {
		f.paused = false
		// The protocol may have changed since the pause (SetProtocol).
		if flow, ok := p.(WriteFlowControl); ok {
			tellFlow(l, flow, false)
		}
	}
	if f.drainFn != nil && size <= int(f.drainAt) {
		f.drained()
	}
}

// tellFlow calls flow's PauseWriting or ResumeWriting. A panic in it goes
// to the loop's exception handler, as asyncio reports an exception of
// pause_writing or resume_writing: the write or the send that crossed the
// mark goes on.
//
//go:noinline
func tellFlow(l *Loop, flow WriteFlowControl, pause bool) {
	defer func() {
		if r := recover(); r != nil {
			msg := "ResumeWriting panicked"
			if pause {
				msg = "PauseWriting panicked"
			}
			st := stack()
			l.CallExceptionHandler(ExceptionContext{Message: msg, Err: &PanicError{Value: r, Stack: st}, Stack: st})
		}
	}()
	if pause {
		flow.PauseWriting()
	} else {
		flow.ResumeWriting()
	}
}

// setLimits is SetWriteBufferLimits for a transport with size bytes
// buffered and protocol p. As asyncio's, it may pause the protocol but
// does not resume it: that waits until the buffer next shrinks.
func (f *flowControl) setLimits(l *Loop, p any, size, high, low int) error {
	h, lo, err := writeLimits(high, low)
	if err != nil {
		return err
	}
	f.high, f.low = h, lo
	f.maybePause(l, p, size)
	return nil
}

// writeLimits applies SetWriteBufferLimits' rules to high and low, those
// of asyncio's set_write_buffer_limits with a negative value for None, and
// caps the marks at 2 GiB.
func writeLimits(high, low int) (int32, int32, error) {
	h, l := int64(high), int64(low)
	if h < 0 {
		h = DefaultWriteHigh
		if l >= 0 {
			h = max(4*min(l, math.MaxInt64/4), l) // 4×low, saturated
		}
	}
	if l < 0 {
		l = h / 4
	}
	if h < l {
		return 0, 0, fmt.Errorf("%w: high %d is below low %d", ErrWriteBufferLimits, h, l)
	}
	return int32(min(h, math.MaxInt32)), int32(min(l, math.MaxInt32)), nil
}

// WriteBufferLimits returns the high and low marks.
func (f *flowControl) WriteBufferLimits() (high, low int) { return int(f.high), int(f.low) }

// whenSize runs fn once at most n bytes wait to be sent, size being what
// waits now, or once the connection is lost: a transport's whenBuffered.
// One callback waits at a time.
func (f *flowControl) whenSize(size, n int, fn func()) {
	if f.lost || size <= n {
		fn()
		return
	}
	f.drainFn, f.drainAt = fn, int32(max(min(n, math.MaxInt32), -1))
}

// drained runs the drain callback, if one waits: the buffer is down to
// its mark, or nothing more will drain.
func (f *flowControl) drained() {
	if fn := f.drainFn; fn != nil {
		f.drainFn = nil
		fn()
	}
}

// IsClosing reports whether Close or Abort was called or the connection
// was lost.
func (f *flowControl) IsClosing() bool { return f.closing }

// IsReading reports whether the transport delivers what it receives.
func (f *flowControl) IsReading() bool { return !f.readPaused && !f.closing }

// pauseReading records a PauseReading and reports whether the transport
// must stop reading: a closing or paused one ignores the call, as
// asyncio's does.
func (f *flowControl) pauseReading() bool {
	if !f.IsReading() {
		return false
	}
	f.readPaused = true
	return true
}

// resumeReading records a ResumeReading and reports whether the
// transport must read again: a closing or reading one ignores the call.
func (f *flowControl) resumeReading() bool {
	if f.closing || !f.readPaused {
		return false
	}
	f.readPaused = false
	return true
}
