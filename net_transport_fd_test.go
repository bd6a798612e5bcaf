//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio"
)

func TestTransportEchoAndClose(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		a.t.Write([]byte("hello "))
		a.t.Write([]byte("world"))
		a.t.Close() // flushes first
		if err, _ := b.lost.Wait(ctx); err != nil {
			t.Errorf("b lost the connection with %v", err)
		}
		if string(b.data) != "hello world" {
			t.Errorf("b received %q", b.data)
		}
		if err, _ := a.lost.Wait(ctx); err != nil {
			t.Errorf("a: %v", err)
		}
		if got := b.events; len(got) != 3 || got[1] != "eof" || got[2] != "lost" {
			t.Errorf("b events %v", got)
		}
		if err := a.t.Write([]byte("late")); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("write after Close: %v", err)
		}
		return nil
	})
}

// A half-closed connection: the peer's EOF arrives, and the protocol keeps
// writing.
func TestTransportHalfClose(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		b.keepOpen = true
		a.t.Write([]byte("question"))
		a.t.WriteEOF()
		if err := b.eof.Wait(ctx); err != nil {
			return err
		}
		if string(b.data) != "question" {
			t.Errorf("b read %q", b.data)
		}
		if err := b.t.Write([]byte("answer")); err != nil {
			t.Errorf("b could not write after the peer's EOF: %v", err)
		}
		b.t.Close()
		a.keepOpen = false
		if _, err := a.lost.Wait(ctx); err != nil {
			return err
		}
		if string(a.data) != "answer" {
			t.Errorf("a read %q", a.data)
		}
		if err := a.t.Write([]byte("x")); err == nil {
			t.Error("write after WriteEOF and close succeeded")
		}
		return nil
	})
}

// A reader that does not read makes the writer's buffer grow: the protocol
// is paused past the high mark and resumed once the peer reads, and the
// buffer never holds more than what the socket refused.
func TestTransportFlowControl(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		b.t.PauseReading()
		if err := a.t.SetWriteBufferLimits(64<<10, 16<<10); err != nil {
			return err
		}
		chunk := bytes.Repeat([]byte("x"), 16<<10)
		total := writeUntilPaused(t, a, chunk)
		if size := a.t.WriteBufferSize(); size <= 64<<10 || size > 64<<10+len(chunk) {
			t.Errorf("paused with %d bytes buffered", size)
		}
		b.t.ResumeReading()
		if err := b.waitData(ctx, total); err != nil {
			return err
		}
		// The portable backend's writer may report the last bytes sent
		// after the peer has read them.
		if err := a.resumed.Wait(ctx); err != nil {
			return err
		}
		if !contains(a.events, "resume") || a.t.WriteBufferSize() > 16<<10 {
			t.Errorf("events %v, buffer %d", a.events, a.t.WriteBufferSize())
		}
		a.t.Abort()
		b.t.Abort()
		return nil
	})
}

func TestTransportAbortDropsBuffer(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		a, b := transportPair(ctx, t)
		b.t.PauseReading()
		big := bytes.Repeat([]byte("y"), 4<<20)
		a.t.Write(big)
		if a.t.WriteBufferSize() == 0 {
			t.Fatal("the socket took 4 MiB at once: no buffer to drop")
		}
		a.t.Abort()
		if err, _ := a.lost.Wait(ctx); err != nil {
			t.Errorf("abort: ConnectionLost(%v)", err)
		}
		b.t.ResumeReading()
		if _, err := b.lost.Wait(ctx); err != nil && !errors.Is(err, unix.ECONNRESET) {
			t.Errorf("peer of an aborted transport: %v", err)
		}
		if len(b.data) >= len(big) {
			t.Errorf("all %d bytes arrived despite the abort", len(b.data))
		}
		return nil
	})
}
