//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestSendfile(t *testing.T) {
	content := bytes.Repeat([]byte("0123456789"), 400_000) // 4 MB: more than the socket holds
	path := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tlsOn := range []bool{false, true} {
		name := "plain"
		if tlsOn {
			name = "tls"
		}
		t.Run(name, func(t *testing.T) {
			runIO(t, func(t *testing.T, ctx context.Context) error {
				got := asyncio.NewFuture[[]byte](ctx)
				var sopts []asyncio.ServerOption
				var copts []asyncio.ConnOption
				if tlsOn {
					s, c := testTLS()
					sopts = append(sopts, asyncio.TLS(s))
					copts = append(copts, asyncio.TLS(c))
				}
				srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
					b, err := r.Read(ctx, -1)
					got.SetResult(b)
					return err
				}, sopts...)
				if err != nil {
					return err
				}
				defer srv.Close()
				_, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String(), copts...)
				if err != nil {
					return err
				}
				f, err := os.Open(path)
				if err != nil {
					return err
				}
				defer f.Close()
				w.Write([]byte("head:")) // buffered data goes first
				n, err := asyncio.Sendfile(ctx, w.Transport(), f, 10, 3_000_000)
				if err != nil || n != 3_000_000 {
					t.Fatalf("Sendfile = %d, %v", n, err)
				}
				if pos, _ := f.Seek(0, io.SeekCurrent); pos != 3_000_010 {
					t.Errorf("file offset %d after Sendfile, want 3000010", pos)
				}
				// count 0: to the end of the file.
				n, err = asyncio.Sendfile(ctx, w.Transport(), f, int64(len(content))-5, 0)
				if err != nil || n != 5 {
					t.Errorf("Sendfile to the end = %d, %v", n, err)
				}
				w.Close()
				b, err := got.Wait(ctx)
				if err != nil {
					return err
				}
				want := append(append([]byte("head:"), content[10:3_000_010]...), content[len(content)-5:]...)
				if !bytes.Equal(b, want) {
					t.Errorf("received %d bytes, want %d", len(b), len(want))
				}
				return nil
			})
		})
	}
}

func TestSendfileRejectsWritesAndBadArguments(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &idle{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		defer srv.AbortClients()
		rec := newRecorder(ctx)
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return rec })
		if err != nil {
			return err
		}
		f, err := os.Open(os.DevNull)
		if err != nil {
			return err
		}
		defer f.Close()
		if _, err := asyncio.Sendfile(ctx, tr, f, -1, 0); err == nil {
			t.Error("a negative offset was accepted")
		}
		// The server does not read: a large file blocks in Sendfile.
		big, err := os.CreateTemp(t.TempDir(), "big")
		if err != nil {
			return err
		}
		defer big.Close()
		big.Truncate(64 << 20)
		sending := asyncio.Spawn(ctx, func(ctx context.Context) (int64, error) {
			return asyncio.Sendfile(ctx, tr, big, 0, 0)
		})
		asyncio.Sleep(ctx, 0)
		err = tr.Write([]byte("interleaved"))
		native := asyncio.RunningLoop(ctx).IOBackend() == asyncio.BackendPoller
		if native && !errors.Is(err, asyncio.ErrSendfileInProgress) {
			t.Errorf("Write during a native Sendfile: %v, want ErrSendfileInProgress", err)
		}
		tr.Abort()
		if n, err := sending.Wait(ctx); err == nil || n >= 64<<20 {
			t.Errorf("Sendfile to an aborted transport = %d, %v", n, err)
		}
		rec.lost.Wait(ctx)
		if _, err := asyncio.Sendfile(ctx, tr, f, 0, 0); !errors.Is(err, asyncio.ErrTransportClosing) {
			t.Errorf("Sendfile on a closing transport: %v", err)
		}
		return nil
	})
}

func (idle) ConnectionMade(t asyncio.Transport) { t.PauseReading() }
