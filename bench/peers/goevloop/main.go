// Command goevloop is the echo server of bench/run.sh's echo and idle-mem
// workloads on two Go event-loop libraries, gnet and nbio: epoll driven
// by a few goroutines instead of a goroutine per connection, as this
// library's transports do; and the WebSocket echo server of its ws-echo
// and ws-idle-mem workloads on nbio's websocket package and on gws
// (ws.go). It is a module of its own, so that the library's module does
// not depend on them.
//
//	goevloop -impl gnet|nbio|nbio-ws|gws -addr 127.0.0.1:PORT
//
// gnet and nbio run one event loop (run it under taskset -c N, so
// GOMAXPROCS is 1, like the other servers), with TCP_NODELAY on, and write
// back every byte read; nbio-ws runs one poller too. SIGTERM ends the
// process (Go's default action).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/lesismal/nbio"
	"github.com/panjf2000/gnet/v2"
)

func main() {
	impl := flag.String("impl", "gnet", "gnet|nbio|nbio-ws|gws")
	addr := flag.String("addr", "127.0.0.1:9000", "address to listen on")
	flag.Parse()
	var err error
	switch *impl {
	case "gnet":
		err = gnet.Run(&gnetEcho{}, "tcp://"+*addr,
			gnet.WithMulticore(false), gnet.WithNumEventLoop(1), gnet.WithTCPNoDelay(gnet.TCPNoDelay))
	case "nbio":
		err = nbioEcho(*addr)
	case "nbio-ws":
		err = nbioWSEcho(*addr)
	case "gws":
		err = gwsEcho(*addr)
	default:
		err = fmt.Errorf("unknown -impl %q (have gnet, nbio, nbio-ws, gws)", *impl)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "goevloop:", err)
		os.Exit(1)
	}
}

// gnetEcho writes back what each read brought.
type gnetEcho struct{ gnet.BuiltinEventEngine }

func (*gnetEcho) OnTraffic(c gnet.Conn) gnet.Action {
	b, _ := c.Next(-1)
	c.Write(b)
	return gnet.None
}

func nbioEcho(addr string) error {
	e := nbio.NewEngine(nbio.Config{Network: "tcp", Addrs: []string{addr}, NPoller: 1})
	e.OnData(func(c *nbio.Conn, b []byte) { c.Write(b) })
	if err := e.Start(); err != nil {
		return err
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, os.Interrupt)
	<-sig
	e.Stop()
	return nil
}
