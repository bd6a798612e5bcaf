package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// natsServerBin returns the nats-server program for the tests that run a
// server of their own: NATS_SERVER_BIN, or nats-server on PATH, or the
// Debian package's. Without one the test is skipped, naming the
// variable, except in CI (CI=true), where .ci/run installs it and its
// absence fails the test.
func natsServerBin(t testing.TB) string {
	t.Helper()
	if b := os.Getenv("NATS_SERVER_BIN"); b != "" {
		return b
	}
	if b, err := exec.LookPath("nats-server"); err == nil {
		return b
	}
	const debian = "/usr/sbin/nats-server"
	if _, err := os.Stat(debian); err == nil {
		return debian
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no nats-server on PATH or at " + debian + " (CI needs it: .ci/run installs it)")
	}
	t.Skip("no nats-server: set NATS_SERVER_BIN to one")
	return ""
}

// A natsServer is a nats-server process with JetStream that a test runs,
// stops and starts again on the same port and store.
type natsServer struct {
	bin, dir string
	port     int
	p        *asyncio.Process
	logTask  *asyncio.Task[[]byte]
}

// newNATSServer picks a free port and a store directory for a server;
// start starts it.
func newNATSServer(t testing.TB) (*natsServer, error) {
	bin := natsServerBin(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return &natsServer{bin: bin, dir: t.TempDir(), port: port}, nil
}

// URL is the server's address for clients.
func (s *natsServer) URL() string { return "nats://127.0.0.1:" + strconv.Itoa(s.port) }

// start starts the server and waits until it says it is ready.
func (s *natsServer) start(ctx context.Context) error {
	p, err := asyncio.CreateSubprocessExec(ctx, s.bin,
		[]string{"-a", "127.0.0.1", "-p", strconv.Itoa(s.port), "-js", "-sd", s.dir},
		asyncio.Stdout(asyncio.DevNull), asyncio.Stderr(asyncio.Pipe))
	if err != nil {
		return err
	}
	s.p = p
	var log bytes.Buffer
	for {
		line, err := p.Stderr.ReadLine(ctx)
		log.Write(line)
		if err != nil || len(line) == 0 {
			p.Kill()
			p.Wait(context.WithoutCancel(ctx))
			return fmt.Errorf("nats-server ended before it was ready (%v):\n%s", err, log.Bytes())
		}
		if bytes.Contains(line, []byte("Server is ready")) {
			break
		}
	}
	// The rest of its log is read, so that the pipe never fills.
	s.logTask = asyncio.Spawn(ctx, func(ctx context.Context) ([]byte, error) {
		for {
			line, err := p.Stderr.ReadLine(ctx)
			log.Write(line)
			if err != nil || len(line) == 0 {
				return log.Bytes(), nil
			}
		}
	}, asyncio.Name("reading the log of nats-server"))
	return nil
}

// stop stops the server with SIGTERM, as a service manager would, and
// waits until it has ended.
func (s *natsServer) stop(ctx context.Context) error {
	if s.p == nil {
		return nil
	}
	p := s.p
	s.p = nil
	if err := p.Terminate(); err != nil {
		return err
	}
	code, err := p.Wait(ctx)
	if err != nil {
		return err
	}
	if _, err := s.logTask.Wait(ctx); err != nil {
		return err
	}
	// nats-server exits with 1 after a shutdown for a signal; what
	// tells a clean one is its last word.
	if log, _ := s.logTask.Result(); code < 0 || !bytes.Contains(log, []byte("Server Exiting")) {
		return errors.New("nats-server ended with code " + strconv.Itoa(code) + ":\n" + string(log))
	}
	return nil
}

// kill is for a deferred call: it ends a server still running.
func (s *natsServer) kill(ctx context.Context) {
	if s.p != nil {
		s.p.Kill()
		s.p.Wait(context.WithoutCancel(ctx))
		s.logTask.Wait(context.WithoutCancel(ctx))
		s.p = nil
	}
}
