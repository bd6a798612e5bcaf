package asyncio_test

import (
	"context"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/asyncio-go/asyncio"
)

// Backlog sets the backlog on both backends. Linux reports a listening
// socket's backlog in the sacked field of its TCP_INFO.
func TestServerBacklog(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		for _, backlog := range []int{7, 33} {
			srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} },
				asyncio.Backlog(backlog))
			if err != nil {
				return err
			}
			fds := asyncio.ListenFDs(srv)
			if len(fds) != 1 {
				t.Fatalf("%d listening sockets", len(fds))
			}
			info, err := unix.GetsockoptTCPInfo(fds[0], unix.IPPROTO_TCP, unix.TCP_INFO)
			if err != nil {
				t.Fatal(err)
			}
			if int(info.Sacked) != backlog {
				t.Errorf("Backlog(%d): the socket's backlog is %d", backlog, info.Sacked)
			}
			srv.Close()
		}
		return nil
	})
}
