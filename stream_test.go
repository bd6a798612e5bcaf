//go:build unix

package asyncio_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// lineEcho answers every line until the client closes: the io.EOF it
// returns then is no failure of the handler.
func lineEcho(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
	for {
		line, err := r.ReadLine(ctx)
		if err != nil {
			return err
		}
		if string(line) == "panic\n" {
			panic("asked to")
		}
		w.Write(bytes.ToUpper(line))
		if err := w.Drain(ctx); err != nil {
			return err
		}
	}
}

func startEcho(ctx context.Context, t *testing.T, opts ...asyncio.ServerOption) (*asyncio.Server, string) {
	t.Helper()
	srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", lineEcho, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, srv.Addrs()[0].String()
}

func TestStreamsEcho(t *testing.T) {
	var reports []asyncio.ExceptionContext
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, addr := startEcho(ctx, t)
		r, w, err := asyncio.OpenConnection(ctx, addr)
		if err != nil {
			return err
		}
		w.WriteLines([]byte("hello\n"), []byte("world\n"))
		for _, want := range []string{"HELLO\n", "WORLD\n"} {
			line, err := r.ReadLine(ctx)
			if string(line) != want || err != nil {
				t.Errorf("ReadLine = %q, %v; want %q", line, err, want)
			}
		}
		// A handler that panics: reported, its connection closed, the
		// server serves on.
		w.Write([]byte("panic\n"))
		if rest, err := r.Read(ctx, -1); len(rest) != 0 || err != nil {
			t.Errorf("after the handler's panic: %q, %v", rest, err)
		}
		if !r.AtEOF() {
			t.Error("not at EOF after the server closed")
		}
		w.Close()
		if err := w.WaitClosed(ctx); err != nil {
			t.Errorf("WaitClosed: %v", err)
		}
		r2, w2, err := asyncio.OpenConnection(ctx, addr)
		if err != nil {
			return err
		}
		w2.Write([]byte("again\n"))
		if line, _ := r2.ReadLine(ctx); string(line) != "AGAIN\n" {
			t.Errorf("second connection got %q", line)
		}
		w2.Close()
		srv.Close()
		return srv.WaitClosed(ctx)
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != len(backends) || !strings.Contains(reports[0].Message, "panicked") {
		t.Fatalf("reports: %+v", reports)
	}
}

// serveBytes runs a server that writes payload and closes, and returns a
// reader connected to it.
func serveBytes(ctx context.Context, t *testing.T, payload string, opts ...asyncio.ConnOption) *asyncio.StreamReader {
	t.Helper()
	srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
		w.Write([]byte(payload))
		return w.Drain(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	r, _, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].(*net.TCPAddr).String(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestStreamReaderErrorsKeepData(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r := serveBytes(ctx, t, "abcdefgh|tail", asyncio.Limit(4))
		// The separator lies past the limit: the data stays.
		_, err := r.ReadUntil(ctx, []byte("|"))
		var over *asyncio.LimitOverrunError
		if !errors.As(err, &over) {
			t.Fatalf("ReadUntil past the limit: %v", err)
		}
		if got, _ := r.ReadExactly(ctx, 8); string(got) != "abcdefgh" {
			t.Errorf("the data was not kept: %q", got)
		}
		if got, _ := r.ReadUntil(ctx, []byte("|")); string(got) != "|" {
			t.Errorf("ReadUntil = %q", got)
		}
		_, err = r.ReadExactly(ctx, 10)
		var inc *asyncio.IncompleteReadError
		if !errors.As(err, &inc) || string(inc.Partial) != "tail" || inc.Expected != 10 {
			t.Errorf("ReadExactly past the end: %v", err)
		}
		if got, err := r.Read(ctx, 5); len(got) != 0 || err != io.EOF {
			t.Errorf("Read at EOF = %q, %v; want io.EOF", got, err)
		}
		return nil
	})
}

// ReadUntilAny over a connection: commands ended by ";" or a new line,
// then the end of the stream with the unterminated rest.
func TestReadUntilAnyOverConnection(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r := serveBytes(ctx, t, "SET a 1;GET a\nDEL a;QUIT")
		seps := [][]byte{[]byte(";"), []byte("\n")}
		for _, want := range []string{"SET a 1;", "GET a\n", "DEL a;"} {
			cmd, err := r.ReadUntilAny(ctx, seps...)
			if string(cmd) != want || err != nil {
				t.Errorf("ReadUntilAny = %q, %v; want %q", cmd, err, want)
			}
		}
		_, err := r.ReadUntilAny(ctx, seps...)
		var inc *asyncio.IncompleteReadError
		if !errors.As(err, &inc) || string(inc.Partial) != "QUIT" || inc.Expected != -1 {
			t.Errorf("ReadUntilAny at the end: %v", err)
		}
		if !r.AtEOF() {
			t.Error("not at EOF after the incomplete read")
		}
		return nil
	})
}

// Read(ctx, -1) of a stream many times the reader's limit: the reader
// does not leave its transport paused at the limit, which would hold back
// the end of the stream for good.
func TestReadAllPastTheLimit(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		payload := strings.Repeat("0123456789", 1000)
		r := serveBytes(ctx, t, payload, asyncio.Limit(16))
		got, err := r.Read(ctx, -1)
		if string(got) != payload || err != nil {
			t.Errorf("Read(-1) = %d bytes, %v; want the %d sent", len(got), err, len(payload))
		}
		return nil
	})
}

func TestReadLineTooLong(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		r := serveBytes(ctx, t, "0123456789\nok\n", asyncio.Limit(4))
		if _, err := r.ReadLine(ctx); !errors.Is(err, asyncio.ErrLineTooLong) {
			t.Errorf("long line: %v", err)
		}
		// asyncio drops what was buffered of the long line; the reader
		// goes on with what follows.
		for {
			line, err := r.ReadLine(ctx)
			if err != nil {
				t.Fatalf("ReadLine before the line after the long one: %v", err)
			}
			if string(line) == "ok\n" {
				break
			}
		}
		return nil
	})
}

// The io adapters let encoding/json and bufio work on a stream.
func TestStreamIOAdapters(t *testing.T) {
	type msg struct{ N int }
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			dec, enc := json.NewDecoder(r.Reader(ctx)), json.NewEncoder(w.Writer(ctx))
			for {
				var m msg
				if err := dec.Decode(&m); err != nil {
					if errors.Is(err, io.EOF) {
						return nil
					}
					return err
				}
				m.N *= 2
				if err := enc.Encode(m); err != nil {
					return err
				}
			}
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
		if err != nil {
			return err
		}
		enc := json.NewEncoder(w.Writer(ctx))
		sc := bufio.NewScanner(r.Reader(ctx))
		for i := 1; i <= 3; i++ {
			enc.Encode(msg{i})
			if !sc.Scan() {
				t.Fatalf("no answer: %v", sc.Err())
			}
			var m msg
			json.Unmarshal(sc.Bytes(), &m)
			if m.N != 2*i {
				t.Errorf("answer %d to %d", m.N, i)
			}
		}
		w.WriteEOF()
		if sc.Scan() {
			t.Errorf("unexpected line %q", sc.Text())
		}
		return nil
	})
}

// Limit sets the limit of the readers StartServer makes.
func TestStartServerStreamLimit(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		limits := asyncio.NewQueue[int](1)
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			return limits.Put(ctx, r.Limit())
		}, asyncio.Limit(7))
		if err != nil {
			return err
		}
		defer srv.Close()
		_, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
		if err != nil {
			return err
		}
		defer w.Close()
		if n, err := limits.Get(ctx); n != 7 || err != nil {
			t.Errorf("handler's reader limit = %d, %v; want 7", n, err)
		}
		return nil
	})
}
