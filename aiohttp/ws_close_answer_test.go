package aiohttp_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/aiohttp"
)

// A close that arrives with a message the application has not received
// yet is answered once the application is done with it: it can still
// reply to the message, and if it never receives again, CloseTimeout
// bounds the wait.
func TestWSCloseAnsweredAfterEarlierMessages(t *testing.T) {
	clock := asyncio.NewVirtualClock()
	clock.SetAutoJump(false)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := aiohttp.Upgrade(w, r, aiohttp.CloseTimeout(5*time.Second))
		if err != nil {
			t.Error(err)
			return
		}
		ctx := r.Context()
		m, err := ws.Receive(ctx)
		if err != nil || string(m.Data) != "held" {
			t.Errorf("Receive = %q, %v; want held", m.Data, err)
			return
		}
		if code := ws.CloseCode(); code != 0 {
			t.Errorf("CloseCode = %d before the application received again, want 0 (open)", code)
		}
		if err := ws.SendText(ctx, "reply"); err != nil {
			t.Errorf("SendText after the peer's close arrived, before it was answered: %v", err)
		}
		// The handler returns without receiving again: only the timeout
		// answers the close now.
	})
	serveWith(t, h, nil, []asyncio.Option{asyncio.WithClock(clock)}, func(addr string) {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer conn.Close()
		p := newWSPeer(conn, true)
		if err := p.handshake(); err != nil {
			t.Error(err)
			return
		}
		// One write, so that the server reads the message and the close
		// together.
		step := sendRecv(frames(wsText("held"), wsCloseF(1000, "")), wsText("reply"))
		if err := p.send(step); err != nil {
			t.Error(err)
			return
		}
		if err := p.expect(step.expect); err != nil {
			t.Error(err)
			return
		}
		clock.Advance(5 * time.Second)
		// A ping, which the server ignores after the close, wakes its
		// loop should Advance's wake-up be lost: the loop reads the
		// virtual time before it marks itself asleep, so an Advance in
		// between does not wake it (Loop.idle), and the due timer would
		// wait for the next event.
		if err := p.send(sendRecv(frames(wsPing("")))); err != nil {
			t.Error(err)
			return
		}
		if err := p.run(wsCase{close: wsNormal}); err != nil {
			t.Errorf("after CloseTimeout: %v", err)
		}
	})
}
