package aiohttp_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// BenchmarkWSEcho measures one echo round trip between a Session's
// WebSocket and the server's, both on one loop over loopback: an op is a
// binary message sent, echoed and received. allocs/op counts both ends:
// each receives one message, whose payload belongs to the caller.
func BenchmarkWSEcho(b *testing.B) {
	for _, size := range []int{64, 4096} {
		b.Run(byteSize(size), func(b *testing.B) {
			benchWSEcho(b, size, false)
		})
		b.Run(byteSize(size)+"/onmessage", func(b *testing.B) {
			benchWSEcho(b, size, true)
		})
	}
}

func byteSize(n int) string {
	if n >= 1024 {
		return string(rune('0'+n/1024)) + "KiB"
	}
	return "64B"
}

func benchWSEcho(b *testing.B, size int, onMessage bool) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r)
		if err != nil {
			return
		}
		if onMessage {
			ws.OnMessage(func(ctx context.Context, m aiohttp.WSMessage, err error) {
				if err == nil {
					ws.Send(ctx, m)
				}
			})
			return
		}
		ctx := r.Context()
		for {
			m, err := ws.Receive(ctx)
			if err != nil {
				return
			}
			ws.Send(ctx, m)
		}
	})
	msg := make([]byte, size)
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		srv, err := aiohttp.Serve(ctx, "127.0.0.1:0", h)
		if err != nil {
			return struct{}{}, err
		}
		s := aiohttp.NewSession()
		defer s.Close(ctx)
		ws, err := s.WSConnect(ctx, "ws://"+srv.Addr().String()+"/")
		if err != nil {
			return struct{}{}, err
		}
		b.ReportAllocs()
		b.SetBytes(int64(size))
		b.ResetTimer()
		for range b.N {
			if err := ws.SendBytes(ctx, msg); err != nil {
				return struct{}{}, err
			}
			if _, err := ws.ReceiveBytes(ctx); err != nil {
				return struct{}{}, err
			}
		}
		b.StopTimer()
		if err := ws.Close(ctx, aiohttp.WSCloseNormal, ""); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, srv.Shutdown(ctx)
	})
	if err != nil {
		b.Fatal(err)
	}
}
