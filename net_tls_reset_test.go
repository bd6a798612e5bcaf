//go:build unix

package asyncio_test

import (
	"context"
	"crypto/tls"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// Peers that reset a TLS connection as soon as their side of the handshake
// is done race the server's takeover of the connection: the transport
// under TLS may be lost before the handshake's outcome reaches the loop.
// The server's count of connections stays whole whichever comes first:
// nothing panics, and the server serves on.
func TestTLSResetAfterHandshake(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		clientCfg = clientCfg.Clone()
		clientCfg.ServerName = "127.0.0.1"
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &idle{} }, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		addr := srv.Addrs()[0].String()
		_, err = asyncio.ToThread(ctx, func() (struct{}, error) {
			var wg sync.WaitGroup
			for range 200 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					c, err := net.Dial("tcp", addr)
					if err != nil {
						t.Error(err)
						return
					}
					c.SetDeadline(time.Now().Add(20 * time.Second))
					tls.Client(c, clientCfg).Handshake()
					c.(*net.TCPConn).SetLinger(0) // a reset, not a close
					c.Close()
				}()
			}
			wg.Wait()
			return struct{}{}, nil
		})
		if err != nil {
			return err
		}
		// The server's count is whole: it serves on.
		rec := newRecorder(ctx)
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return rec }, asyncio.TLS(clientCfg))
		if err != nil {
			return err
		}
		tr.Close()
		if _, err := rec.lost.Wait(ctx); err != nil {
			return err
		}
		srv.Close()
		srv.AbortClients()
		return nil
	})
}
