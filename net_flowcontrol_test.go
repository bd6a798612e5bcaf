//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// panicky is a recorder whose PauseWriting and ResumeWriting panic after
// recording the call.
type panicky struct{ *recorder }

func (p panicky) PauseWriting()  { p.recorder.PauseWriting(); panic("in PauseWriting") }
func (p panicky) ResumeWriting() { p.recorder.ResumeWriting(); panic("in ResumeWriting") }

// writeUntilPaused writes chunk to a's transport until a is paused, and
// returns the bytes written.
func writeUntilPaused(t *testing.T, a *recorder, chunk []byte) int {
	t.Helper()
	total := 0
	for !contains(a.events, "pause") {
		if err := a.t.Write(chunk); err != nil {
			t.Fatal(err)
		}
		total += len(chunk)
		if total > 64<<20 {
			t.Fatal("never paused")
		}
	}
	return total
}

// checkFlowPanics checks that the exception handler got one report for
// each of want, naming the callback, and carrying the panic's value.
func checkFlowPanics(t *testing.T, reports []asyncio.ExceptionContext, want ...string) {
	t.Helper()
	if len(reports) != len(want) {
		t.Fatalf("%d reports to the exception handler, want %d: %v", len(reports), len(want), reports)
	}
	for i, c := range reports {
		var pe *asyncio.PanicError
		if c.Message != want[i]+" panicked" || !errors.As(c.Err, &pe) || pe.Value != "in "+want[i] {
			t.Errorf("report %d: %q, %v; want %s's panic", i, c.Message, c.Err, want[i])
		}
	}
}

// A panic in PauseWriting or ResumeWriting goes to the loop's exception
// handler, as asyncio reports their exceptions, and the Write or the send
// that crossed the mark goes on: no byte is lost, and the connection
// stays up.
func TestTransportFlowControlPanic(t *testing.T) {
	var reports []asyncio.ExceptionContext
	runIO(t, func(t *testing.T, ctx context.Context) error {
		reports = nil
		a, b := transportPair(ctx, t)
		a.t.SetProtocol(panicky{a})
		b.t.PauseReading()
		chunk := bytes.Repeat([]byte("x"), 16<<10)
		total := writeUntilPaused(t, a, chunk)
		checkFlowPanics(t, reports, "PauseWriting")
		if err := a.t.Write(chunk); err != nil {
			t.Errorf("Write after a panic in PauseWriting: %v", err)
		}
		total += len(chunk)
		b.t.ResumeReading()
		if err := a.resumed.Wait(ctx); err != nil {
			return err
		}
		if err := b.waitData(ctx, total); err != nil {
			return err
		}
		checkFlowPanics(t, reports, "PauseWriting", "ResumeWriting")
		a.t.Close()
		if err, _ := b.lost.Wait(ctx); err != nil {
			t.Errorf("the peer lost the connection with %v", err)
		}
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
}

// panickyDgram is a dgramRecorder whose PauseWriting and ResumeWriting
// panic after recording the call; resumed is set by ResumeWriting.
type panickyDgram struct {
	*dgramRecorder
	resumed *asyncio.Event
}

func (p panickyDgram) PauseWriting() { p.dgramRecorder.PauseWriting(); panic("in PauseWriting") }
func (p panickyDgram) ResumeWriting() {
	p.dgramRecorder.ResumeWriting()
	p.resumed.Set()
	panic("in ResumeWriting")
}

// The same for a datagram endpoint: SendTo goes on, and every datagram
// arrives.
func TestDatagramFlowControlPanic(t *testing.T) {
	var reports []asyncio.ExceptionContext
	runIO(t, func(t *testing.T, ctx context.Context) error {
		reports = nil
		dir := t.TempDir()
		rcv := endpoint(ctx, t, "unixgram", filepath.Join(dir, "rcv"), "")
		defer rcv.t.Close()
		rcv.t.PauseReading()
		snd := endpoint(ctx, t, "unixgram", filepath.Join(dir, "snd"), filepath.Join(dir, "rcv"))
		p := panickyDgram{snd, asyncio.NewEvent()}
		snd.t.SetProtocol(p)
		if err := snd.t.SetWriteBufferLimits(1000, 200); err != nil {
			return err
		}
		n := 0
		for !contains(snd.events, "pause") {
			if err := snd.t.SendTo([]byte{byte(n)}, nil); err != nil {
				return err
			}
			n++
		}
		checkFlowPanics(t, reports, "PauseWriting")
		rcv.t.ResumeReading()
		if err := p.resumed.Wait(ctx); err != nil {
			return err
		}
		if err := rcv.waitFor(ctx, func() bool { return len(rcv.got) == n }); err != nil {
			return fmt.Errorf("received %d of %d: %w", len(rcv.got), n, err)
		}
		checkFlowPanics(t, reports, "PauseWriting", "ResumeWriting")
		snd.t.Close()
		snd.closed(ctx, t, "[made pause resume lost]")
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
}

// As asyncio's set_write_buffer_limits, SetWriteBufferLimits pauses a
// protocol when the buffer is past the new high mark, but does not resume
// a paused one when the buffer is at or below the new low mark: that
// waits until the buffer shrinks.
func TestSetWriteBufferLimitsPausesButDoesNotResume(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		b.t.PauseReading()
		if err := a.t.SetWriteBufferLimits(1<<30, -1); err != nil {
			return err
		}
		big := bytes.Repeat([]byte("z"), 4<<20)
		if err := a.t.Write(big); err != nil {
			return err
		}
		size := a.t.WriteBufferSize()
		if size <= asyncio.DefaultWriteHigh || contains(a.events, "pause") {
			t.Fatalf("%d bytes buffered, events %v: want more than the default high mark, no pause", size, a.events)
		}
		if err := a.t.SetWriteBufferLimits(-1, -1); err != nil {
			return err
		}
		if !contains(a.events, "pause") {
			t.Errorf("not paused by SetWriteBufferLimits with %d bytes buffered, above the new high mark", size)
		}
		if err := a.t.SetWriteBufferLimits(2*size, size); err != nil {
			return err
		}
		if contains(a.events, "resume") {
			t.Errorf("resumed by SetWriteBufferLimits with nothing sent (%d bytes buffered, the new low mark)", size)
		}
		b.t.ResumeReading()
		if err := a.resumed.Wait(ctx); err != nil {
			return err
		}
		if err := b.waitData(ctx, len(big)); err != nil {
			return err
		}
		if got := fmt.Sprint(a.events); got != "[made pause resume]" {
			t.Errorf("events %s", got)
		}
		a.t.Abort()
		b.t.Abort()
		return nil
	})
}

// SetProtocol while the old protocol is paused: the new protocol, which
// does not implement WriteFlowControl, is not resumed when the buffer
// drains, and nothing fails (the portable backend called a nil
// ResumeWriting; the exception handler of runIO fails the test on the
// panic).
func TestTransportSetProtocolWhileWritePaused(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		b.t.PauseReading()
		total := writeUntilPaused(t, a, bytes.Repeat([]byte("w"), 64<<10))
		plain := &plainProtocol{lost: asyncio.NewFuture[error](ctx)}
		a.t.SetProtocol(plain)
		b.t.ResumeReading()
		if err := b.waitData(ctx, total); err != nil {
			return err
		}
		a.t.Close() // after every report of the portable writer
		if err, _ := plain.lost.Wait(ctx); err != nil {
			t.Errorf("ConnectionLost(%v)", err)
		}
		if contains(a.events, "resume") {
			t.Error("the old protocol was resumed after SetProtocol")
		}
		return nil
	})
}

// plainProtocol is a protocol without WriteFlowControl.
type plainProtocol struct {
	asyncio.BaseProtocol
	lost *asyncio.Future[error]
}

func (p *plainProtocol) ConnectionLost(err error) { p.lost.SetResult(err) }
