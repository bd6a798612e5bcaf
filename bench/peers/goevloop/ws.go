package main

import (
	"net/http"
	"os"
	"os/signal"
	"syscall"

	"github.com/lesismal/nbio/nbhttp"
	"github.com/lesismal/nbio/nbhttp/websocket"
	"github.com/lxzan/gws"
)

// The WebSocket echo servers of bench/run.sh's ws-echo and ws-idle-mem
// workloads: GET / upgrades, without compression (neither library
// compresses unless told to), and every message goes back with its type.

// nbioWSEcho serves the echo with nbio's HTTP engine and its websocket
// package, on one poller, until SIGTERM.
func nbioWSEcho(addr string) error {
	up := websocket.NewUpgrader()
	up.OnMessage(func(c *websocket.Conn, typ websocket.MessageType, p []byte) { c.WriteMessage(typ, p) })
	e := nbhttp.NewEngine(nbhttp.Config{
		Network: "tcp",
		Addrs:   []string{addr},
		NPoller: 1,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { up.Upgrade(w, r, nil) }),
		// The payload goes back to nbio's pool once OnMessage returns,
		// which WriteMessage allows: it copies the payload into the frame it
		// writes.
		ReleaseWebsocketPayload: true,
	})
	if err := e.Start(); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	e.Stop()
	return nil
}

// gwsEcho serves the echo with github.com/lxzan/gws's own server: its
// HTTP upgrade on a net listener, then a goroutine per connection reading
// in its ReadLoop (gws has no event loop), until the process is killed.
func gwsEcho(addr string) error {
	return gws.NewServer(gwsHandler{}, &gws.ServerOption{}).Run(addr)
}

// gwsHandler writes back every message.
type gwsHandler struct{ gws.BuiltinEventHandler }

func (gwsHandler) OnMessage(c *gws.Conn, m *gws.Message) {
	c.WriteMessage(m.Opcode, m.Bytes())
	m.Close()
}
