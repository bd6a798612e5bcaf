//go:build unix

package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestOutput(t *testing.T) {
	var out strings.Builder
	if err := run(&out, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	want := `upstream: serving on 127.0.0.1 (a free port)
proxy: serving on 127.0.0.1 (another free port), forwarding to the upstream
client: sent "Hello World!", received "echo: Hello World!"
client: sent "asyncio for Go", received "echo: asyncio for Go"
client: sent "through a proxy", received "echo: through a proxy"
client: sent "goodbye" and shut its side
client: received "echo: goodbye", then the end of the stream
proxy: connection 1: 52 bytes up, 76 bytes down
servers closed
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// A transfer larger than every buffer on the way, in both directions at
// once: the proxy's backpressure holds, and the half-close still gets
// through once the data has.
func TestLargeTransfer(t *testing.T) {
	payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<18) // 4 MiB
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		// A raw echo server: it sends back what it reads, lines or not.
		up, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			_, err := pipe(ctx, r, w)
			return err
		})
		if err != nil {
			return struct{}{}, err
		}
		defer up.Close()
		p := &proxy{upstream: up.Addrs()[0].String()}
		front, err := asyncio.StartServer(ctx, "127.0.0.1:0", p.serve)
		if err != nil {
			return struct{}{}, err
		}
		defer front.Close()
		r, w, err := asyncio.OpenConnection(ctx, front.Addrs()[0].String())
		if err != nil {
			return struct{}{}, err
		}
		defer w.Close()
		var got []byte
		err = asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				if _, err := w.Writer(ctx).Write(payload); err != nil {
					return err
				}
				return w.WriteEOF()
			})
			g.Go(func(ctx context.Context) (err error) {
				got, err = r.Read(ctx, -1)
				return err
			})
			return nil
		})
		if err != nil {
			return struct{}{}, err
		}
		if !bytes.Equal(got, payload) {
			return struct{}{}, fmt.Errorf("received %d bytes, not the %d sent", len(got), len(payload))
		}
		w.Close()
		front.Close()
		if err := front.WaitClosed(ctx); err != nil {
			return struct{}{}, err
		}
		want := fmt.Sprintf("%d bytes up, %d bytes down", len(payload), len(payload))
		if len(p.log) != 1 || p.log[0] != want {
			return struct{}{}, fmt.Errorf("proxy log %q, want [%q]", p.log, want)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	if err != nil {
		t.Fatal(err)
	}
}
