//go:build unix

package asyncio_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestUnixSocketStreams(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		path := filepath.Join(t.TempDir(), "echo.sock")
		// A stale socket file from a process that did not clean up is
		// replaced.
		stale, err := net.Listen("unix", path)
		if err != nil {
			return err
		}
		stale.(*net.UnixListener).SetUnlinkOnClose(false)
		stale.Close()
		srv, err := asyncio.StartUnixServer(ctx, path, lineEcho)
		if err != nil {
			return err
		}
		if a := srv.Addrs()[0]; a.Network() != "unix" || a.String() != path {
			t.Errorf("server address %v", a)
		}
		r, w, err := asyncio.OpenUnixConnection(ctx, path)
		if err != nil {
			return err
		}
		w.Write([]byte("over a unix socket\n"))
		if line, err := r.ReadLine(ctx); string(line) != "OVER A UNIX SOCKET\n" || err != nil {
			t.Errorf("ReadLine = %q, %v", line, err)
		}
		w.Close()
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("socket file left after Close: %v", err)
		}
		// A regular file at the path is not removed.
		os.WriteFile(path, []byte("mine"), 0o600)
		if _, err := asyncio.StartUnixServer(ctx, path, lineEcho); err == nil {
			t.Error("listened over a regular file")
		}
		if b, _ := os.ReadFile(path); string(b) != "mine" {
			t.Error("the regular file was changed")
		}
		return nil
	})
}

func TestUnixAbstractSocket(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("abstract Unix sockets are Linux's")
	}
	runIO(t, func(t *testing.T, ctx context.Context) error {
		name := "@asyncio-test-" + t.Name()
		srv, err := asyncio.CreateServer(ctx, "unix", name, func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		rec := newRecorder(ctx)
		tr, _, err := asyncio.CreateConnection(ctx, "unix", name, func() asyncio.Protocol { return rec })
		if err != nil {
			return err
		}
		defer tr.Close()
		tr.Write([]byte("abstract"))
		if err := rec.waitData(ctx, 8); err != nil {
			return err
		}
		if string(rec.data) != "abstract" {
			t.Errorf("echo %q", rec.data)
		}
		return nil
	})
}

func TestCreateConnectionLocalAddr(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		srv, err := asyncio.CreateServer(ctx, "tcp4", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} })
		if err != nil {
			return err
		}
		defer srv.Close()
		// Find a free port to bind the client to.
		probe, err := net.Listen("tcp4", "127.0.0.2:0")
		if err != nil {
			return err
		}
		local := probe.Addr().String()
		probe.Close()
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return newRecorder(ctx) },
			asyncio.LocalAddr(local), asyncio.HappyEyeballsDelay(-1))
		if err != nil {
			return err
		}
		defer tr.Close()
		if got := tr.LocalAddr().String(); got != local {
			t.Errorf("local address %s, want %s", got, local)
		}
		// An address of no interface here cannot be bound.
		_, _, err = asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return newRecorder(ctx) }, asyncio.LocalAddr("192.0.2.1:0"))
		if err == nil {
			t.Error("bound to an address of no interface")
		}
		return nil
	})
}

// A refused connection fails with the *net.OpError of the attempt.
func TestCreateConnectionRefused(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		ln, err := net.Listen("tcp4", "127.0.0.1:0") // a port nobody listens on, once closed
		if err != nil {
			return err
		}
		addr := ln.Addr().String()
		ln.Close()
		_, _, err = asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return newRecorder(ctx) })
		var oe *net.OpError
		if !errors.As(err, &oe) || !errors.Is(err, syscall.ECONNREFUSED) {
			t.Errorf("refused connection: %v (%T), want a *net.OpError for ECONNREFUSED", err, err)
		}
		return nil
	})
}

func TestServerHostsAndDeferredServing(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		made := 0
		srv, err := asyncio.CreateServer(ctx, "tcp4", ":0", func() asyncio.Protocol {
			made++
			return &echo{}
		}, asyncio.Hosts("127.0.0.1", "127.0.0.2"), asyncio.StartServing(false), asyncio.KeepAlive())
		if err != nil {
			return err
		}
		defer srv.Close()
		addrs := srv.Addrs()
		if len(addrs) != 2 {
			t.Fatalf("listening on %v, want two hosts", addrs)
		}
		a0, a1 := addrs[0].(*net.TCPAddr), addrs[1].(*net.TCPAddr)
		if !a0.IP.Equal(net.IPv4(127, 0, 0, 1)) || !a1.IP.Equal(net.IPv4(127, 0, 0, 2)) || a0.Port != a1.Port {
			t.Errorf("addresses %v, want both hosts on one port", addrs)
		}
		if srv.IsServing() {
			t.Error("serving before StartServing")
		}
		if err := srv.StartServing(); err != nil {
			return err
		}
		for _, a := range addrs {
			rec := newRecorder(ctx)
			tr, _, err := asyncio.CreateConnection(ctx, "tcp", a.String(), func() asyncio.Protocol { return rec })
			if err != nil {
				return err
			}
			tr.Write([]byte("hi"))
			if err := rec.waitData(ctx, 2); err != nil {
				return err
			}
			tr.Close()
		}
		if made != 2 {
			t.Errorf("%d protocols made, want 2", made)
		}
		srv.Close()
		if err := srv.StartServing(); !errors.Is(err, asyncio.ErrServerClosed) {
			t.Errorf("StartServing after Close: %v", err)
		}
		return nil
	})
}
