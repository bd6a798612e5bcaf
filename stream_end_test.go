//go:build unix

package asyncio_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// errReset is a connection reset as a transport reports it.
var errReset = &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

// describe puts the result of a read in a form tests compare: the data,
// an *asyncio.IncompleteReadError's Partial and cause, a
// *asyncio.LimitOverrunError and its cause, or the error; a reset is
// "reset", io.EOF "EOF", io.ErrUnexpectedEOF "unexpected EOF", whether
// bare or wrapped. Data that comes with an error is shown before it.
func describe(data []byte, err error) string {
	var inc *asyncio.IncompleteReadError
	var over *asyncio.LimitOverrunError
	switch {
	case err == nil:
		return fmt.Sprintf("%q", data)
	case len(data) > 0:
		return fmt.Sprintf("%q + %s", data, describe(nil, err))
	case errors.As(err, &inc):
		return fmt.Sprintf("incomplete %q: %s", inc.Partial, cause(inc.Err))
	case errors.As(err, &over):
		return "overrun: " + cause(over.Err)
	}
	return cause(err)
}

func cause(err error) string {
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected EOF"
	case errors.Is(err, io.EOF):
		return "EOF"
	}
	return err.Error()
}

// A streamRead is one read of a StreamReader.
type streamRead func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error)

func readN(n int) streamRead {
	return func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) { return r.Read(ctx, n) }
}

func readLine(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) { return r.ReadLine(ctx) }

func readUntil(sep string) streamRead {
	return func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) {
		return r.ReadUntil(ctx, []byte(sep))
	}
}

func readUntilAny(seps ...string) streamRead {
	return func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) {
		var bs [][]byte
		for _, s := range seps {
			bs = append(bs, []byte(s))
		}
		return r.ReadUntilAny(ctx, bs...)
	}
}

func readExactly(n int) streamRead {
	return func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) { return r.ReadExactly(ctx, n) }
}

// ioRead reads through the io.Reader adapter into a buffer of n bytes.
func ioRead(n int) streamRead {
	return func(ctx context.Context, r *asyncio.StreamReader) ([]byte, error) {
		p := make([]byte, n)
		k, err := r.Reader(ctx).Read(p)
		if k > 0 && err != nil {
			return nil, fmt.Errorf("io.Reader returned %d bytes with %w", k, err)
		}
		return p[:k], err
	}
}

// endings are the two ways a stream ends: a clean end (the peer's EOF,
// then the connection closed) and a reset.
var endings = []struct {
	name string
	end  func(p *asyncio.StreamProtocol)
}{
	{"EOF", func(p *asyncio.StreamProtocol) { p.EOFReceived(); p.ConnectionLost(nil) }},
	{"reset", func(p *asyncio.StreamProtocol) { p.ConnectionLost(errReset) }},
}

// Every read method, with data buffered when the stream ends: what arrived
// before the end is read first, as far as it satisfies each read; then
// each read returns the end, io.EOF or the connection's error, again and
// again, in an *IncompleteReadError that holds what was left from the
// methods that return one.
func TestStreamReadsAtTheEnd(t *testing.T) {
	type step struct {
		read streamRead
		want [2]string // at a clean end, after a reset
	}
	same := func(s string) [2]string { return [2]string{s, s} }
	for _, tc := range []struct {
		name  string
		limit int
		steps []step
	}{
		{"Read", 0, []step{
			{readN(3), same(`"ab\n"`)},
			{readN(3), same(`"cd"`)},
			{readN(3), [2]string{"EOF", "reset"}},
			{readN(3), [2]string{"EOF", "reset"}},
		}},
		{"ReadLine", 0, []step{
			{readLine, same(`"ab\n"`)},
			{readLine, [2]string{`"cd"`, `incomplete "cd": reset`}},
			{readLine, [2]string{"EOF", "reset"}},
			{readLine, [2]string{"EOF", "reset"}},
		}},
		{"ReadUntil", 0, []step{
			{readUntil("\n"), same(`"ab\n"`)},
			{readUntil("\n"), [2]string{`incomplete "cd": unexpected EOF`, `incomplete "cd": reset`}},
			{readUntil("\n"), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
			{readUntil("\n"), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		}},
		{"ReadUntilAny", 0, []step{
			{readUntilAny(";", "\n"), same(`"ab\n"`)},
			{readUntilAny(";", "\n"), [2]string{`incomplete "cd": unexpected EOF`, `incomplete "cd": reset`}},
			{readUntilAny(";", "\n"), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		}},
		{"ReadExactly", 0, []step{
			{readExactly(3), same(`"ab\n"`)},
			{readExactly(3), [2]string{`incomplete "cd": unexpected EOF`, `incomplete "cd": reset`}},
			{readExactly(3), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
			{readExactly(0), same(`""`)},
		}},
		{"ReadExactlyAll", 0, []step{
			{readExactly(5), same(`"ab\ncd"`)},
			{readExactly(1), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		}},
		{"ReadAll", 0, []step{
			{readN(-1), [2]string{`"ab\ncd"`, `"ab\ncd" + reset`}},
			{readN(-1), [2]string{`""`, "reset"}},
			{readN(0), same(`""`)},
		}},
		{"io.Reader", 0, []step{
			{ioRead(3), same(`"ab\n"`)},
			{ioRead(3), same(`"cd"`)},
			{ioRead(3), [2]string{"EOF", "reset"}},
			{ioRead(3), [2]string{"EOF", "reset"}},
			{ioRead(0), same(`""`)},
		}},
		{"ReadUntilPastTheLimit", 2, []step{
			// The overrun carries the reset, and the data stays.
			{readUntil(";"), [2]string{"overrun: nil", "overrun: reset"}},
			{readExactly(5), same(`"ab\ncd"`)},
			{readUntil(";"), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		}},
		{"Mixed", 0, []step{
			{readN(1), same(`"a"`)},
			{readLine, same(`"b\n"`)},
			{readExactly(1), same(`"c"`)},
			{readUntil("\n"), [2]string{`incomplete "d": unexpected EOF`, `incomplete "d": reset`}},
			{readN(1), [2]string{"EOF", "reset"}},
			{readLine, [2]string{"EOF", "reset"}},
			{readExactly(1), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
			{ioRead(1), [2]string{"EOF", "reset"}},
		}},
	} {
		for i, e := range endings {
			t.Run(tc.name+"/"+e.name, func(t *testing.T) {
				asynciotest.Run(t, func(ctx context.Context) error {
					p := asyncio.NewStreamProtocol(tc.limit)
					r := p.Reader()
					p.DataReceived([]byte("ab\ncd"))
					e.end(p)
					for j, s := range tc.steps {
						if got := describe(s.read(ctx, r)); got != s.want[i] {
							t.Errorf("read %d = %s, want %s", j+1, got, s.want[i])
						}
					}
					if !r.AtEOF() {
						t.Error("AtEOF is false once every read has returned the end")
					}
					return nil
				})
			})
		}
	}
}

// A read that waits when the stream ends is woken with the end: io.EOF or
// the connection's error, after what was buffered if that satisfies it.
func TestStreamReadWaitingWhenTheStreamEnds(t *testing.T) {
	for _, tc := range []struct {
		name     string
		buffered string
		read     streamRead
		want     [2]string // at a clean end, after a reset
	}{
		{"Read", "", readN(3), [2]string{"EOF", "reset"}},
		{"ReadLine", "", readLine, [2]string{"EOF", "reset"}},
		{"ReadLinePart", "cd", readLine, [2]string{`"cd"`, `incomplete "cd": reset`}},
		{"ReadUntil", "cd", readUntil("\n"), [2]string{`incomplete "cd": unexpected EOF`, `incomplete "cd": reset`}},
		{"ReadUntilAny", "", readUntilAny(";", "\n"), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		{"ReadExactly", "cd", readExactly(3), [2]string{`incomplete "cd": unexpected EOF`, `incomplete "cd": reset`}},
		{"ReadExactlyNothing", "", readExactly(3), [2]string{`incomplete "": EOF`, `incomplete "": reset`}},
		{"ReadAll", "cd", readN(-1), [2]string{`"cd"`, `"cd" + reset`}},
		{"io.Reader", "", ioRead(3), [2]string{"EOF", "reset"}},
	} {
		for i, e := range endings {
			t.Run(tc.name+"/"+e.name, func(t *testing.T) {
				asynciotest.Run(t, func(ctx context.Context) error {
					p := asyncio.NewStreamProtocol(0)
					r := p.Reader()
					if tc.buffered != "" {
						p.DataReceived([]byte(tc.buffered))
					}
					read := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
						return describe(tc.read(ctx, r)), nil
					})
					// One iteration: the reader runs up to its wait.
					if err := asyncio.Sleep(ctx, 0); err != nil {
						return err
					}
					if read.Done() {
						got, _ := read.Wait(ctx)
						t.Fatalf("the read did not wait: %s", got)
					}
					e.end(p)
					got, err := read.Wait(ctx)
					if err != nil {
						return err
					}
					if got != tc.want[i] {
						t.Errorf("the waiting read returned %s, want %s", got, tc.want[i])
					}
					return nil
				})
			})
		}
	}
}

// The natural Go loop, which reads until an error, ends at the end of the
// stream, with every method, over a connection.
func TestStreamReadLoopsEnd(t *testing.T) {
	const payload = "one\ntwo;three\nfour"
	for _, tc := range []struct {
		name  string
		read  streamRead
		parts []string
		last  string // the error the loop ends with
	}{
		{"ReadLine", readLine, []string{"one\n", "two;three\n", "four"}, "EOF"},
		{"Read", readN(8), []string{"one\ntwo;", "three\nfo", "ur"}, "EOF"},
		{"ReadUntilAny", readUntilAny(";", "\n"), []string{"one\n", "two;", "three\n"}, `incomplete "four": unexpected EOF`},
		{"ReadExactly", readExactly(6), []string{"one\ntw", "o;thre", "e\nfour"}, `incomplete "": EOF`},
		{"io.Reader", ioRead(8), []string{"one\ntwo;", "three\nfo", "ur"}, "EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			runIO(t, func(t *testing.T, ctx context.Context) error {
				r := serveBytes(ctx, t, payload)
				var parts []string
				last := "no end"
				for range 10 { // a bound, should the loop not end
					b, err := tc.read(ctx, r)
					if err != nil {
						last = describe(b, err)
						break
					}
					parts = append(parts, string(b))
				}
				if fmt.Sprintf("%q", parts) != fmt.Sprintf("%q", tc.parts) || last != tc.last {
					t.Errorf("the loop read %q and ended with %s; want %q, then %s", parts, last, tc.parts, tc.last)
				}
				return nil
			})
		})
	}
}

// A connection reset by its peer, on both backends: a read waiting with
// part of a line buffered is woken with the reset, which it wraps, and
// every read after it returns the reset too.
func TestStreamResetReachesEveryRead(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		// The peer writes a line and a half in one write, waits for the
		// client's word that it has read the line, and resets.
		peerDone := make(chan error, 1)
		go func() {
			peerDone <- func() error {
				c, err := ln.Accept()
				if err != nil {
					return err
				}
				defer c.Close()
				if _, err := c.Write([]byte("one\ntw")); err != nil {
					return err
				}
				if _, err := bufio.NewReader(c).ReadString('\n'); err != nil {
					return err
				}
				return c.(*net.TCPConn).SetLinger(0) // Close resets
			}()
		}()
		p := asyncio.NewStreamProtocol(0)
		if _, _, err := asyncio.CreateConnection(ctx, "tcp", ln.Addr().String(), func() asyncio.Protocol { return p }); err != nil {
			return err
		}
		r, w := p.Reader(), p.Writer()
		if got := describe(r.ReadLine(ctx)); got != `"one\n"` {
			t.Fatalf("first ReadLine = %s", got)
		}
		w.Write([]byte("reset now\n"))
		// This task does not give up the loop before ReadLine waits, so
		// the reset comes while it waits, "tw" buffered.
		if got, want := describe(r.ReadLine(ctx)), `incomplete "tw": reset`; got != want {
			t.Errorf("the waiting ReadLine returned %s, want %s", got, want)
		}
		for _, s := range []struct {
			name string
			read streamRead
			want string
		}{
			{"ReadLine", readLine, "reset"},
			{"Read", readN(10), "reset"},
			{"ReadExactly", readExactly(1), `incomplete "": reset`},
			{"ReadUntil", readUntil("\n"), `incomplete "": reset`},
			{"io.Reader", ioRead(10), "reset"},
		} {
			if got := describe(s.read(ctx, r)); got != s.want {
				t.Errorf("%s after the reset = %s, want %s", s.name, got, s.want)
			}
		}
		if err := w.WaitClosed(ctx); !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("WaitClosed = %v, want the reset", err)
		}
		perr, _, err := asyncio.Recv(ctx, peerDone)
		if err != nil {
			return err
		}
		if perr != nil {
			t.Errorf("the peer: %v", perr)
		}
		return nil
	})
}

// The errors of the end wrap their cause and say what it was.
func TestStreamEndErrorsWrap(t *testing.T) {
	inc := &asyncio.IncompleteReadError{Partial: []byte("ab"), Expected: 5, Err: errReset}
	if !errors.Is(inc, syscall.ECONNRESET) || !strings.Contains(inc.Error(), "connection reset") || !strings.Contains(inc.Error(), "2 of 5 bytes") {
		t.Errorf("IncompleteReadError %q does not show its cause", inc)
	}
	eof := &asyncio.IncompleteReadError{Partial: []byte{}, Expected: -1, Err: io.EOF}
	if !errors.Is(eof, io.EOF) || strings.Contains(eof.Error(), "EOF") {
		t.Errorf("IncompleteReadError at a clean end: %q, Is(io.EOF) = %v", eof, errors.Is(eof, io.EOF))
	}
	over := &asyncio.LimitOverrunError{Consumed: 7, Err: errReset}
	if !errors.Is(over, syscall.ECONNRESET) || !strings.Contains(over.Error(), "connection reset") {
		t.Errorf("LimitOverrunError %q does not show its cause", over)
	}
}
