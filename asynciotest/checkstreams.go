package asynciotest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// A Stream is one end of a stream connection: what asyncio.OpenConnection
// returns, or what a handler of asyncio.StartServer gets.
type Stream struct {
	Reader *asyncio.StreamReader
	Writer *asyncio.StreamWriter
}

// MakeStreams opens a stream connection of the kind under test on the loop
// of ctx and returns its two ends, ready for use. stop, if not nil, runs
// at the end of the subtest, once both ends are closed, to release what
// opening the connection took, such as a server; it may wait, as for the
// server's handlers to return.
type MakeStreams func(ctx context.Context) (a, b Stream, stop func(ctx context.Context) error, err error)

// CheckStreams checks, in subtests, that the stream connections
// makeStreams opens behave as asyncio's streams promise: the data arrives
// in order both ways at once, through ReadLine, ReadExactly and Read; Drain
// returns only once the transport's buffer is at most its high mark, and a
// slow reader still gets everything; ReadExactly of more than the reader
// buffers before pausing completes; WriteEOF half-closes, and a read to the
// end returns what came before it; a read past the end returns an
// *asyncio.IncompleteReadError; at the end of the stream every read method
// returns what was left and then io.EOF; Close and an abort end the
// connection for both ends; writes fail after Close and after WriteEOF.
// Each subtest runs on its own loop, made by Run with opts.
func CheckStreams(t *testing.T, makeStreams MakeStreams, opts ...asyncio.Option) {
	for _, c := range []struct {
		name  string
		check func(t *testing.T, ctx context.Context, a, b Stream)
	}{
		{"BothWays", checkStreamsBothWays},
		{"Drain", checkStreamsDrain},
		{"HalfClose", checkStreamsHalfClose},
		{"Close", checkStreamsClose},
		{"Abort", checkStreamsAbort},
		{"IncompleteRead", checkStreamsIncompleteRead},
		{"EndOfStream", checkStreamsEndOfStream},
		{"ReadExactlyBeyondLimit", checkStreamsReadExactlyBeyondLimit},
	} {
		t.Run(c.name, func(t *testing.T) {
			Run(t, func(ctx context.Context) error {
				return asyncio.Timeout(ctx, CheckTimeout, func(ctx context.Context) error {
					a, b, stop, err := makeStreams(ctx)
					if err != nil {
						t.Fatalf("opening the connection: %v", err)
					}
					c.check(t, ctx, a, b)
					// Nothing left open: each end closes, and waits
					// for the close to be done.
					for _, s := range []Stream{a, b} {
						s.Writer.Transport().Abort()
						s.Writer.WaitClosed(ctx)
					}
					if stop != nil {
						return stop(ctx)
					}
					return nil
				})
			}, opts...)
		})
	}
}

// talk sends lines and a block from w, as one side of checkStreamsBothWays.
func talk(ctx context.Context, w *asyncio.StreamWriter, lines [][]byte, block []byte) error {
	for _, l := range lines {
		if err := w.Write(l); err != nil {
			return err
		}
	}
	if err := w.Write(block); err != nil {
		return err
	}
	return w.Drain(ctx)
}

// listen reads what talk sent.
func listen(ctx context.Context, r *asyncio.StreamReader, lines [][]byte, block []byte) error {
	for i, want := range lines {
		got, err := r.ReadLine(ctx)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, want) {
			return fmt.Errorf("line %d differs", i)
		}
	}
	for off := 0; off < len(block); {
		// In reads of at most the reader's limit: see
		// checkStreamsReadExactlyBeyondLimit for larger ones.
		n := min(len(block)-off, r.Limit())
		got, err := r.ReadExactly(ctx, n)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, block[off:off+n]) {
			return fmt.Errorf("the block differs in bytes %d to %d", off, off+n)
		}
		off += n
	}
	return nil
}

// checkStreamsBothWays: lines and a large block each way, at once.
func checkStreamsBothWays(t *testing.T, ctx context.Context, a, b Stream) {
	var lines [][]byte
	for i := range 100 {
		lines = append(lines, append(pattern(i, i*37%500), '\n'))
		for j := range len(lines[i]) - 1 {
			if lines[i][j] == '\n' {
				lines[i][j] = ' '
			}
		}
	}
	block := pattern(9, 1<<20)
	_, err := asyncio.Gather(ctx,
		func(ctx context.Context) (int, error) { return 0, talk(ctx, a.Writer, lines, block) },
		func(ctx context.Context) (int, error) { return 0, talk(ctx, b.Writer, lines, block) },
		func(ctx context.Context) (int, error) { return 0, listen(ctx, a.Reader, lines, block) },
		func(ctx context.Context) (int, error) { return 0, listen(ctx, b.Reader, lines, block) },
	)
	if err != nil {
		t.Fatal(err)
	}
}

// checkStreamsDrain: a writer that drains after every write never has
// more than the high mark buffered once Drain returns, and a slow reader
// gets everything.
func checkStreamsDrain(t *testing.T, ctx context.Context, a, b Stream) {
	const high = 16 << 10
	a.Writer.Transport().SetWriteBufferLimits(high, -1)
	const total = 4 << 20
	_, err := asyncio.Gather(ctx,
		func(ctx context.Context) (int, error) {
			for seed := 0; seed*(64<<10) < total; seed++ {
				if err := a.Writer.Write(pattern(seed*(64<<10), 64<<10)); err != nil {
					return 0, err
				}
				if err := a.Writer.Drain(ctx); err != nil {
					return 0, err
				}
				if n := a.Writer.Transport().WriteBufferSize(); n > high {
					t.Errorf("Drain returned with %d bytes buffered, above the high mark %d", n, high)
				}
			}
			return 0, nil
		},
		func(ctx context.Context) (int, error) {
			got := make([]byte, 0, total)
			for len(got) < total {
				p, err := b.Reader.Read(ctx, 1000) // small reads: a slow reader
				if errors.Is(err, io.EOF) {
					return 0, errors.New("EOF before all the data")
				}
				if err != nil {
					return 0, err
				}
				got = append(got, p...)
			}
			if !bytes.Equal(got, pattern(0, total)) {
				return 0, errors.New("the data differs")
			}
			return 0, nil
		},
	)
	if err != nil {
		t.Fatal(err)
	}
}

// checkStreamsHalfClose: a request ended by WriteEOF, answered on the
// other direction, which then closes.
func checkStreamsHalfClose(t *testing.T, ctx context.Context, a, b Stream) {
	if !a.Writer.CanWriteEOF() {
		t.Skip("the stream cannot write an EOF")
	}
	request, response := pattern(10, 200<<10), pattern(11, 200<<10)
	if err := a.Writer.Write(request); err != nil {
		t.Fatal(err)
	}
	if err := a.Writer.WriteEOF(); err != nil {
		t.Fatalf("WriteEOF: %v", err)
	}
	if err := a.Writer.Write([]byte("late")); err == nil {
		t.Errorf("Write after WriteEOF succeeded")
	}
	got, err := b.Reader.Read(ctx, -1)
	if err != nil || !bytes.Equal(got, request) {
		t.Fatalf("reading to the EOF got %d bytes, %v; want the %d of the request", len(got), err, len(request))
	}
	if !b.Reader.AtEOF() {
		t.Errorf("AtEOF is false after a read to the EOF")
	}
	if err := b.Writer.Write(response); err != nil {
		t.Fatalf("writing after the peer's EOF: %v", err)
	}
	if err := b.Writer.Close(); err != nil {
		t.Fatal(err)
	}
	got, err = a.Reader.Read(ctx, -1)
	if err != nil || !bytes.Equal(got, response) {
		t.Fatalf("reading the response got %d bytes, %v; want %d", len(got), err, len(response))
	}
	if err := b.Writer.WaitClosed(ctx); err != nil {
		t.Errorf("WaitClosed after Close: %v", err)
	}
}

// checkStreamsClose: Close sends what was written, then the EOF; writes
// fail from then on, and WaitClosed returns.
func checkStreamsClose(t *testing.T, ctx context.Context, a, b Stream) {
	sent := pattern(12, 1<<20)
	if err := a.Writer.Write(sent); err != nil {
		t.Fatal(err)
	}
	if err := a.Writer.Close(); err != nil {
		t.Fatal(err)
	}
	if !a.Writer.IsClosing() {
		t.Errorf("IsClosing is false after Close")
	}
	if err := a.Writer.Write([]byte("late")); err == nil {
		t.Errorf("Write after Close succeeded")
	}
	// The peer reads before a waits for the close: a closing transport
	// is done once its buffer is sent, which takes a reader.
	got, err := b.Reader.Read(ctx, -1)
	if err != nil || !bytes.Equal(got, sent) {
		t.Fatalf("the peer read %d bytes, %v; want the %d sent before Close", len(got), err, len(sent))
	}
	if err := a.Writer.WaitClosed(ctx); err != nil {
		t.Errorf("WaitClosed: %v", err)
	}
	if p, err := b.Reader.Read(ctx, 100); err != io.EOF || len(p) != 0 {
		t.Errorf("a read at the EOF returned %d bytes, %v; want none, io.EOF", len(p), err)
	}
}

// checkStreamsAbort: an abort ends both ends: WaitClosed returns on the
// aborting one, and the peer reads a prefix of what was sent, then the end.
func checkStreamsAbort(t *testing.T, ctx context.Context, a, b Stream) {
	sent := pattern(13, 4<<20)
	if err := a.Writer.Write(sent); err != nil {
		t.Fatal(err)
	}
	a.Writer.Transport().Abort()
	if err := a.Writer.WaitClosed(ctx); err != nil {
		t.Errorf("WaitClosed after an abort: %v", err)
	}
	got, _ := b.Reader.Read(ctx, -1) // an EOF, or a reset: both end it
	if !bytes.HasPrefix(sent, got) {
		t.Errorf("the peer read %d bytes that are not a prefix of what was sent", len(got))
	}
	if !b.Reader.AtEOF() {
		t.Errorf("the peer's reader is not at its end after the abort")
	}
}

// checkStreamsIncompleteRead: a read of more than the stream holds before
// its end returns what there was, in an *asyncio.IncompleteReadError.
func checkStreamsIncompleteRead(t *testing.T, ctx context.Context, a, b Stream) {
	if err := a.Writer.Write([]byte("short")); err != nil {
		t.Fatal(err)
	}
	a.Writer.Close()
	_, err := b.Reader.ReadExactly(ctx, 10)
	var inc *asyncio.IncompleteReadError
	if !errors.As(err, &inc) || string(inc.Partial) != "short" || inc.Expected != 10 {
		t.Fatalf("ReadExactly(10) of a 5-byte stream returned %v, want an IncompleteReadError with the 5 bytes", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("the IncompleteReadError of a stream cut short is %v, want one that wraps io.ErrUnexpectedEOF", err)
	}
}

// checkStreamsEndOfStream: what is left at the end of the stream is read
// first, the last line without its newline too; then every read method
// returns io.EOF, wrapped in an *asyncio.IncompleteReadError by those
// that return one, so that a loop reading until an error ends.
func checkStreamsEndOfStream(t *testing.T, ctx context.Context, a, b Stream) {
	if err := a.Writer.Write([]byte("one\ntwo")); err != nil {
		t.Fatal(err)
	}
	a.Writer.Close()
	var lines []string
	for range 10 { // a bound, should the end never come
		line, err := b.Reader.ReadLine(ctx)
		if err != nil {
			if err != io.EOF {
				t.Errorf("ReadLine at the end returned %v, want io.EOF", err)
			}
			break
		}
		lines = append(lines, string(line))
	}
	if len(lines) != 2 || lines[0] != "one\n" || lines[1] != "two" {
		t.Errorf("ReadLine read %q, want \"one\\n\", \"two\", then io.EOF", lines)
	}
	if p, err := b.Reader.Read(ctx, 10); len(p) != 0 || err != io.EOF {
		t.Errorf("Read at the end returned %q, %v; want io.EOF", p, err)
	}
	var inc *asyncio.IncompleteReadError
	if _, err := b.Reader.ReadExactly(ctx, 1); !errors.As(err, &inc) || len(inc.Partial) != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadExactly at the end returned %v, want an IncompleteReadError wrapping io.EOF", err)
	}
	if _, err := b.Reader.ReadUntil(ctx, []byte("\n")); !errors.As(err, &inc) || len(inc.Partial) != 0 || !errors.Is(err, io.EOF) {
		t.Errorf("ReadUntil at the end returned %v, want an IncompleteReadError wrapping io.EOF", err)
	}
	if p, err := b.Reader.Read(ctx, -1); len(p) != 0 || err != nil {
		t.Errorf("Read(-1) at the end returned %q, %v; want nothing and no error, as io.ReadAll", p, err)
	}
}

// checkStreamsReadExactlyBeyondLimit: a read of more than the reader
// buffers before it pauses its transport (twice its limit) still
// completes: a reader that waits for data resumes its transport first, as
// asyncio's does.
func checkStreamsReadExactlyBeyondLimit(t *testing.T, ctx context.Context, a, b Stream) {
	n := 4*b.Reader.Limit() + 1
	sent := pattern(14, n)
	if err := a.Writer.Write(sent); err != nil {
		t.Fatal(err)
	}
	got, err := b.Reader.ReadExactly(ctx, n)
	if err != nil || !bytes.Equal(got, sent) {
		t.Fatalf("ReadExactly(%d) with a limit of %d returned %d bytes, %v", n, b.Reader.Limit(), len(got), err)
	}
}
