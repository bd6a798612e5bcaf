//go:build unix

package asyncio_test

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// A stream handler's error is reported, unless it is a cancellation, and
// its connection is closed either way.
func TestStreamHandlerErrorReported(t *testing.T) {
	boom := errors.New("boom")
	var reports []asyncio.ExceptionContext
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			line, err := r.ReadLine(ctx)
			if err != nil {
				return err
			}
			if string(line) == "fail\n" {
				return boom
			}
			return context.Canceled
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		for _, line := range []string{"fail\n", "cancel\n"} {
			r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
			if err != nil {
				return err
			}
			w.Write([]byte(line))
			if rest, err := r.Read(ctx, -1); len(rest) != 0 || err != nil {
				t.Errorf("after a handler returned on %q: %q, %v, want the end of the stream", line, rest, err)
			}
			w.Close()
		}
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != len(backends) {
		t.Fatalf("%d reports, want one per backend: %+v", len(reports), reports)
	}
	for _, r := range reports {
		if r.Message != "stream handler failed" || !errors.Is(r.Err, boom) {
			t.Errorf("report %q, %v; want the handler's failure", r.Message, r.Err)
		}
	}
}

// A handler that reads until an error and returns it is not reported when
// the client leaves between records: that error is io.EOF. A client that
// leaves in the middle of a record is: io.ErrUnexpectedEOF.
func TestStreamHandlerEOFNotReported(t *testing.T) {
	var reports []asyncio.ExceptionContext
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			for {
				if _, err := r.ReadExactly(ctx, 4); err != nil {
					return err
				}
			}
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		for _, records := range []string{"abcdefgh", "abcdef"} {
			r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
			if err != nil {
				return err
			}
			w.Write([]byte(records))
			w.WriteEOF()
			if _, err := r.Read(ctx, -1); err != nil { // to the handler's close
				t.Errorf("reading to the end: %v", err)
			}
			w.Close()
		}
		return nil
	}, asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) { reports = append(reports, c) }))
	if len(reports) != len(backends) {
		t.Fatalf("%d reports, want one per backend: %+v", len(reports), reports)
	}
	for _, r := range reports {
		var inc *asyncio.IncompleteReadError
		if !errors.As(r.Err, &inc) || string(inc.Partial) != "ef" || !errors.Is(r.Err, io.ErrUnexpectedEOF) {
			t.Errorf("report %q, %v; want the record cut short", r.Message, r.Err)
		}
	}
}
