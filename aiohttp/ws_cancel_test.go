package aiohttp_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// wsPair serves a handler that upgrades with serverOpts and hands the
// server's WebSocket to the test, connects a client with clientOpts, and
// runs body with both on the loop's virtual clock.
func wsPair(t *testing.T, serverOpts, clientOpts []aiohttp.WSOption, body func(ctx context.Context, server, client *aiohttp.WebSocket) error) {
	t.Helper()
	accepted := make(chan *aiohttp.WebSocket, 1)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, serverOpts...)
		if err != nil {
			t.Errorf("Upgrade: %v", err)
			return
		}
		accepted <- ws
	})
	wsRun(t, h, func(ctx context.Context, s *aiohttp.Session, url string) error {
		client, err := s.WSConnect(ctx, url, clientOpts...)
		if err != nil {
			return err
		}
		server, _, err := asyncio.Recv(ctx, accepted)
		if err != nil {
			return err
		}
		err = body(ctx, server, client)
		// Whatever body left open is closed, so that Shutdown is quick.
		client.Close(ctx, aiohttp.WSCloseNormal, "")
		server.Close(ctx, aiohttp.WSCloseNormal, "")
		return err
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
}

func TestWSReceiveCancelledKeepsConnection(t *testing.T) {
	wsPair(t, nil, nil, func(ctx context.Context, server, client *aiohttp.WebSocket) error {
		task := asyncio.Spawn(ctx, func(ctx context.Context) (aiohttp.WSMessage, error) {
			return client.Receive(ctx)
		})
		asyncio.Sleep(ctx, time.Millisecond) // the task waits in Receive
		task.Cancel()
		if _, err := task.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled Receive returned %v, want context.Canceled", err)
		}
		if err := server.SendText(ctx, "after"); err != nil {
			return err
		}
		got, err := client.ReceiveText(ctx)
		if err != nil || got != "after" {
			t.Errorf("Receive after a cancelled one = %q, %v; want the next message", got, err)
		}
		return nil
	})
}

func TestWSReceiveTimeout(t *testing.T) {
	wsPair(t, nil, []aiohttp.WSOption{aiohttp.ReceiveTimeout(time.Second)}, func(ctx context.Context, server, client *aiohttp.WebSocket) error {
		l := asyncio.RunningLoop(ctx)
		start := l.Time()
		_, err := client.Receive(ctx)
		var te *aiohttp.TimeoutError
		if !errors.As(err, &te) || te.Kind != "receive_timeout" {
			t.Fatalf("Receive = %v, want a receive_timeout TimeoutError", err)
		}
		if waited := l.Time() - start; waited != time.Second {
			t.Errorf("Receive waited %v, want 1s", waited)
		}
		if err := server.SendText(ctx, "late"); err != nil {
			return err
		}
		if got, err := client.ReceiveText(ctx); err != nil || got != "late" {
			t.Errorf("Receive after a timeout = %q, %v", got, err)
		}
		return nil
	})
}

func TestWSHeartbeatReapsSilentPeer(t *testing.T) {
	// The client leaves pings to the application (Autoping(false)) and
	// never answers: to the server's heartbeat it is gone.
	serverOpts := []aiohttp.WSOption{aiohttp.Heartbeat(10 * time.Second)}
	clientOpts := []aiohttp.WSOption{aiohttp.Autoping(false)}
	wsPair(t, serverOpts, clientOpts, func(ctx context.Context, server, client *aiohttp.WebSocket) error {
		l := asyncio.RunningLoop(ctx)
		start := l.Time()
		m, err := client.Receive(ctx)
		if err != nil || m.Type != aiohttp.WSPing {
			t.Fatalf("client got %v, %v; want the heartbeat's ping", m.Type, err)
		}
		if at := l.Time() - start; at != 10*time.Second {
			t.Errorf("ping after %v, want 10s", at)
		}
		_, err = server.Receive(ctx)
		if !errors.Is(err, aiohttp.ErrWSHeartbeat) {
			t.Errorf("server Receive = %v, want ErrWSHeartbeat", err)
		}
		if at := l.Time() - start; at != 15*time.Second {
			t.Errorf("reaped after %v, want 15s (interval + half)", at)
		}
		if server.CloseCode() != aiohttp.WSCloseAbnormal {
			t.Errorf("server CloseCode = %d, want 1006", server.CloseCode())
		}
		_, err = client.Receive(ctx)
		var ce *aiohttp.WSCloseError
		if !errors.As(err, &ce) || ce.Code != aiohttp.WSCloseAbnormal {
			t.Errorf("client Receive = %v, want its connection lost (1006)", err)
		}
		return nil
	})
}

func TestWSHeartbeatKeepsLivePeer(t *testing.T) {
	serverOpts := []aiohttp.WSOption{aiohttp.Heartbeat(10 * time.Second)}
	wsPair(t, serverOpts, nil, func(ctx context.Context, server, client *aiohttp.WebSocket) error {
		// The client answers pings by itself while it waits a minute.
		asyncio.Sleep(ctx, time.Minute)
		if err := server.SendText(ctx, "still here"); err != nil {
			t.Fatalf("send after a minute of heartbeats: %v", err)
		}
		got, err := client.ReceiveText(ctx)
		if err != nil || got != "still here" {
			t.Errorf("client got %q, %v", got, err)
		}
		return nil
	})
}

func TestWSSendCancelledWhileWaitingSendsNothing(t *testing.T) {
	serverOpts := []aiohttp.WSOption{aiohttp.WriteBufferLimit(64 << 10)}
	wsPair(t, serverOpts, nil, func(ctx context.Context, server, client *aiohttp.WebSocket) error {
		// The client does not receive: once its inbox and the socket
		// buffers are full, the server's send waits for room.
		// A send still waiting after the loop went round a few times is
		// cancelled; one that went out meanwhile counts as sent.
		msg := make([]byte, 256<<10)
		sent := 0
		for {
			msg[0] = byte(sent)
			task := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				return struct{}{}, server.SendBytes(ctx, msg)
			})
			for range 5 {
				asyncio.Sleep(ctx, 0)
			}
			task.Cancel()
			_, err := task.Wait(ctx)
			if errors.Is(err, context.Canceled) {
				break
			}
			if err != nil {
				return err
			}
			if sent++; sent > 1000 {
				t.Fatal("1000 sends of 256 KiB to a client that reads nothing never waited")
			}
		}
		// The cancelled send sent nothing: the client gets the messages
		// sent before it, then the next one, and the connection works.
		msg[0] = 0xFF
		done := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			return struct{}{}, server.SendBytes(ctx, msg)
		})
		for i := 0; i < sent; i++ {
			b, err := client.ReceiveBytes(ctx)
			if err != nil || b[0] != byte(i) {
				t.Fatalf("message %d: first byte %v, %v", i, b[:1], err)
			}
		}
		b, err := client.ReceiveBytes(ctx)
		if err != nil || b[0] != 0xFF {
			t.Fatalf("after the cancelled send, got %v, %v; want the next message", b[:1], err)
		}
		_, err = done.Wait(ctx)
		return err
	})
}
