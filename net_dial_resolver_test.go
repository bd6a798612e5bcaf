package asyncio_test

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// TestCreateConnectionWithResolver: the resolver given is asked for the
// host, in the calling task, and its addresses are tried in turn (nothing
// listens on the first, the server on the second); an IP address is not passed to
// it; its error is CreateConnection's.
func TestCreateConnectionWithResolver(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &asyncio.BaseProtocol{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		port := srv.Addrs()[0].(*net.TCPAddr).Port
		var asked []string
		resolve := func(ctx context.Context, host string) ([]net.IPAddr, error) {
			if !asyncio.InTask(ctx) {
				t.Error("resolver called outside the calling task")
			}
			asked = append(asked, host)
			if host == "fails.test" {
				return nil, errors.New("no such host")
			}
			return []net.IPAddr{{IP: net.IPv4(127, 0, 0, 3)}, {IP: net.IPv4(127, 0, 0, 1)}}, nil
		}
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", net.JoinHostPort("server.test", itoa(port)),
			func() asyncio.Protocol { return &asyncio.BaseProtocol{} }, asyncio.WithResolver(resolve), asyncio.HappyEyeballsDelay(-1))
		if err != nil {
			return err
		}
		if ra := tr.RemoteAddr().(*net.TCPAddr); !ra.IP.Equal(net.IPv4(127, 0, 0, 1)) {
			t.Errorf("connected to %v", ra)
		}
		tr.Abort()
		tr, _, err = asyncio.CreateConnection(ctx, "tcp", net.JoinHostPort("127.0.0.1", itoa(port)),
			func() asyncio.Protocol { return &asyncio.BaseProtocol{} }, asyncio.WithResolver(resolve))
		if err != nil {
			return err
		}
		tr.Abort()
		_, _, err = asyncio.CreateConnection(ctx, "tcp", "fails.test:80",
			func() asyncio.Protocol { return &asyncio.BaseProtocol{} }, asyncio.WithResolver(resolve))
		if err == nil || err.Error() != "no such host" {
			t.Errorf("err = %v, want the resolver's", err)
		}
		if got := len(asked); got != 2 || asked[0] != "server.test" || asked[1] != "fails.test" {
			t.Errorf("resolver asked %q", asked)
		}
		return nil
	})
}
