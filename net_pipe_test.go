//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

func TestReadPipe(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		rec := newRecorder(ctx)
		tr, err := asyncio.ConnectReadPipe(ctx, r, rec)
		if err != nil {
			return err
		}
		w.Write([]byte("through a pipe"))
		w.Close()
		if err, _ := rec.lost.Wait(ctx); err != nil {
			t.Errorf("lost with %v", err)
		}
		if string(rec.data) != "through a pipe" || rec.eofs != 1 {
			t.Errorf("received %q with %d EOFs", rec.data, rec.eofs)
		}
		if err := tr.Write([]byte("x")); !errors.Is(err, errors.ErrUnsupported) {
			t.Errorf("Write to a read pipe: %v", err)
		}
		if tr.CanWriteEOF() {
			t.Error("a read pipe can write EOF")
		}
		return nil
	})
}

func TestWritePipe(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		defer r.Close()
		rec := newRecorder(ctx)
		tr, err := asyncio.ConnectWritePipe(ctx, w, rec)
		if err != nil {
			return err
		}
		// More than a pipe holds: the rest waits in the buffer.
		payload := bytes.Repeat([]byte("pipe"), 1<<18)
		read := asyncio.Spawn(ctx, func(ctx context.Context) ([]byte, error) {
			return asyncio.ToThread(ctx, func() ([]byte, error) { return io.ReadAll(r) })
		})
		tr.Write(payload)
		if tr.WriteBufferSize() == 0 {
			t.Error("a megabyte went into a pipe at once")
		}
		tr.WriteEOF() // closes once the buffer is sent
		got, err := read.Wait(ctx)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, payload) {
			t.Errorf("read %d bytes, want %d", len(got), len(payload))
		}
		if err, _ := rec.lost.Wait(ctx); err != nil {
			t.Errorf("lost with %v", err)
		}
		return nil
	})
}

// The reader going away ends a write pipe's transport: at once on the
// poller backend, at the next write on the portable one.
func TestWritePipeReaderCloses(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		rec := newRecorder(ctx)
		tr, err := asyncio.ConnectWritePipe(ctx, w, rec)
		if err != nil {
			return err
		}
		asyncio.Sleep(ctx, 0) // ConnectionMade
		r.Close()
		if asyncio.RunningLoop(ctx).IOBackend() == asyncio.BackendPortable {
			tr.Write([]byte("nobody reads this"))
			if err, _ := rec.lost.Wait(ctx); err == nil {
				t.Error("a write to a closed pipe did not fail")
			}
			return nil
		}
		if err, _ := rec.lost.Wait(ctx); err != nil {
			t.Errorf("lost with %v, want nil: nothing was waiting", err)
		}
		return nil
	})
}

// A read pipe closes at its end of file even when the protocol asks to
// stay half-open, as asyncio's read pipe transport does: nothing more can
// come through it, and a stream protocol would otherwise keep the
// descriptor open until the loop closes.
func TestReadPipeClosesAtEOF(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r, w, err := os.Pipe()
		if err != nil {
			return err
		}
		rec := newRecorder(ctx)
		rec.keepOpen = true
		if _, err := asyncio.ConnectReadPipe(ctx, r, rec); err != nil {
			return err
		}
		w.Write([]byte("last words"))
		w.Close()
		// Bounded, so that a transport left open fails rather than hangs.
		lostErr, err := asyncio.WaitFor(ctx, 10*time.Second, rec.lost.Wait)
		if err != nil {
			t.Fatalf("the read pipe did not close at its end of file: %v", err)
		}
		if lostErr != nil {
			t.Errorf("lost with %v", lostErr)
		}
		if got := strings.Join(rec.events, " "); got != "made eof lost" {
			t.Errorf("events %q, want %q", got, "made eof lost")
		}
		return nil
	})
}
