//go:build unix

package asyncio_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
	"weak"

	"github.com/asyncio-go/asyncio"
)

// testTLS returns a server config with a self-signed certificate for
// 127.0.0.1 and localhost, and a client config that trusts it.
var testTLS = sync.OnceValues(func() (server, client *tls.Config) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "asyncio test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		panic(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: pool}
	return server, client
})

func TestTLSEcho(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		var served *recorder
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol {
			served = newRecorder(ctx)
			return &echoRecorder{served}
		}, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		defer srv.Close()
		rec := newRecorder(ctx)
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return rec }, asyncio.TLS(clientCfg))
		if err != nil {
			return err
		}
		if !rec.made {
			t.Error("CreateConnection returned before ConnectionMade")
		}
		st := tr.TLS()
		if st == nil || !st.HandshakeComplete || st.Version < tls.VersionTLS12 || len(st.VerifiedChains) == 0 {
			t.Fatalf("client TLS state %+v", st)
		}
		if len(st.PeerCertificates) != 1 || st.PeerCertificates[0].Subject.CommonName != "asyncio test" {
			t.Errorf("peer certificates %v", st.PeerCertificates)
		}
		// A megabyte each way exercises the backpressure of both layers.
		payload := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
		tr.Write(payload)
		if err := rec.waitData(ctx, len(payload)); err != nil {
			return err
		}
		if !bytes.Equal(rec.data, payload) {
			t.Errorf("echo differs: %d bytes back", len(rec.data))
		}
		if served.t.TLS() == nil {
			t.Error("server transport has no TLS state")
		}
		tr.Close()
		if err, _ := rec.lost.Wait(ctx); err != nil {
			t.Errorf("client lost the connection with %v", err)
		}
		// The server's protocol sees a clean end: close_notify, then EOF.
		if err, _ := served.lost.Wait(ctx); err != nil {
			t.Errorf("server lost the connection with %v", err)
		}
		if served.eofs != 1 {
			t.Errorf("server heard %d EOFs", served.eofs)
		}
		return nil
	})
}

// echoRecorder is a recorder that writes back what it receives.
type echoRecorder struct{ *recorder }

func (e *echoRecorder) DataReceived(p []byte) {
	e.recorder.DataReceived(p)
	e.t.Write(p)
}

// A TLS connection half-closes: WriteEOF sends close_notify, the peer
// hears EOF and can still answer.
func TestTLSHalfClose(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			data, err := r.Read(ctx, -1) // to EOF
			if err != nil {
				return err
			}
			w.Write(bytes.ToUpper(data))
			return w.Drain(ctx)
		}, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String(), asyncio.TLS(clientCfg))
		if err != nil {
			return err
		}
		defer w.Close()
		if !w.CanWriteEOF() {
			t.Fatal("a TLS writer cannot write EOF")
		}
		w.Write([]byte("half closed"))
		w.WriteEOF()
		got, err := r.Read(ctx, -1)
		if string(got) != "HALF CLOSED" || err != nil {
			t.Errorf("read %q, %v", got, err)
		}
		return nil
	})
}

// A plain connection upgrades to TLS in the middle, both sides through
// StreamWriter.StartTLS, as SMTP's STARTTLS does.
func TestStartTLS(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		srv, err := asyncio.StartServer(ctx, "127.0.0.1:0", func(ctx context.Context, r *asyncio.StreamReader, w *asyncio.StreamWriter) error {
			line, err := r.ReadLine(ctx)
			if err != nil || string(line) != "STARTTLS\n" {
				return errors.New("no STARTTLS")
			}
			w.Write([]byte("GO AHEAD\n"))
			if err := w.StartTLS(ctx, serverCfg, asyncio.ServerSide()); err != nil {
				return err
			}
			line, err = r.ReadLine(ctx)
			if err != nil {
				return err
			}
			w.Write(bytes.ToUpper(line))
			return w.Drain(ctx)
		})
		if err != nil {
			return err
		}
		defer srv.Close()
		r, w, err := asyncio.OpenConnection(ctx, srv.Addrs()[0].String())
		if err != nil {
			return err
		}
		defer w.Close()
		w.Write([]byte("STARTTLS\n"))
		if line, err := r.ReadLine(ctx); string(line) != "GO AHEAD\n" || err != nil {
			t.Fatalf("ReadLine = %q, %v", line, err)
		}
		if w.Transport().TLS() != nil {
			t.Fatal("TLS state before StartTLS")
		}
		if err := w.StartTLS(ctx, clientCfg); err != nil {
			return err
		}
		if st := w.Transport().TLS(); st == nil || !st.HandshakeComplete {
			t.Fatalf("TLS state after StartTLS: %+v", st)
		}
		w.Write([]byte("secret\n"))
		if line, err := r.ReadLine(ctx); string(line) != "SECRET\n" || err != nil {
			t.Errorf("ReadLine under TLS = %q, %v", line, err)
		}
		return nil
	})
}

// A client that does not trust the server's certificate fails to connect,
// and the server reports the failed handshake and goes on serving.
func TestTLSUntrustedCertificate(t *testing.T) {
	var mu sync.Mutex
	var reports []string
	reported := make(chan struct{}, len(backends))
	handler := asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		mu.Lock()
		reports = append(reports, c.Message+": "+c.Err.Error())
		mu.Unlock()
		select {
		case reported <- struct{}{}:
		default:
		}
	})
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} }, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		defer srv.Close()
		addr := srv.Addrs()[0].String()
		_, _, err = asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return newRecorder(ctx) }, asyncio.TLS(&tls.Config{}))
		var unknown x509.UnknownAuthorityError
		if !errors.As(err, &unknown) {
			t.Errorf("untrusted server: %v, want x509.UnknownAuthorityError", err)
		}
		// The server still serves a client that trusts it.
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", addr, func() asyncio.Protocol { return newRecorder(ctx) }, asyncio.TLS(clientCfg))
		if err != nil {
			return err
		}
		tr.Close()
		// The server's side of the failed handshake may end after the
		// client's: wait for its report, which the loop must not lose.
		return asyncio.Timeout(ctx, 10*time.Second, func(ctx context.Context) error {
			_, _, err := asyncio.Recv(ctx, reported)
			return err
		})
	}, handler)
	mu.Lock()
	defer mu.Unlock()
	if len(reports) != len(backends) || !strings.Contains(reports[0], "TLS handshake failed") {
		t.Errorf("server reports %q, want one failed handshake per backend", reports)
	}
}

// A peer that never answers the handshake fails it after the handshake
// timeout.
func TestTLSHandshakeTimeout(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		_, clientCfg := testTLS()
		mute, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &asyncio.BaseProtocol{} })
		if err != nil {
			return err
		}
		defer mute.Close()
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		_, _, err = asyncio.CreateConnection(ctx, "tcp", mute.Addrs()[0].String(), func() asyncio.Protocol { return newRecorder(ctx) },
			asyncio.TLS(clientCfg, asyncio.TLSHandshakeTimeout(50*time.Millisecond)))
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("handshake with a mute peer: %v, want ErrTimeout", err)
		}
		if took := loop.Time() - start; took < 50*time.Millisecond {
			t.Errorf("timed out after %v", took)
		}
		mute.AbortClients()
		return nil
	})
}

func TestTLSServerNeedsCertificate(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		_, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &echo{} }, asyncio.TLS(&tls.Config{}))
		if err == nil {
			t.Error("a TLS server without a certificate was made")
		}
		return nil
	})
}

// Closing a TLS connection whose peer reads nothing more ends it after the
// shutdown timeout, instead of waiting for the buffer to drain.
func TestTLSShutdownTimeout(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", func() asyncio.Protocol { return &idle{} }, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		defer srv.Close()
		defer srv.AbortClients()
		rec := newRecorder(ctx)
		tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), func() asyncio.Protocol { return rec },
			asyncio.TLS(clientCfg, asyncio.TLSShutdownTimeout(50*time.Millisecond)))
		if err != nil {
			return err
		}
		tr.Write(bytes.Repeat([]byte("x"), 32<<20)) // more than the sockets hold
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		tr.Close()
		if _, err := rec.lost.Wait(ctx); err != nil {
			return err
		}
		if took := loop.Time() - start; took < 50*time.Millisecond || took > 10*time.Second {
			t.Errorf("closed after %v; the shutdown timeout was 50ms", took)
		}
		return nil
	})
}

// A closed TLS connection is unreachable once both ends have been told
// ConnectionLost: no timer of the connection (its shutdown timeout, its
// handshake timeout) keeps the transport, its buffers and its TLS state
// alive until it would have fired. The clock is real, since the closing
// exchange runs over real sockets, which do not hold a virtual clock; the
// test never waits for the clock.
func TestTLSClosedConnectionIsFreed(t *testing.T) {
	runIO(t, func(t *testing.T, ctx context.Context) error {
		serverCfg, clientCfg := testTLS()
		loop := asyncio.RunningLoop(ctx)
		// Live timers, as a busy loop has, due before the connections'
		// timeouts: the loop drops a cancelled timer once it is the next
		// one due, or once cancelled timers outnumber live ones, so those
		// of the connections stay in its heap.
		for range 64 {
			defer loop.CallLater(asyncio.DefaultTLSShutdownTimeout-5*time.Second, func() {}).Cancel()
		}
		const conns = 4
		var probes []weak.Pointer[lostProbe]
		allLost := asyncio.NewEvent()
		lost := 0
		newProbe := func() asyncio.Protocol {
			p := &lostProbe{lost: func() {
				if lost++; lost == 2*conns {
					allLost.Set()
				}
			}}
			probes = append(probes, weak.Make(p))
			return p
		}
		srv, err := asyncio.CreateServer(ctx, "tcp", "127.0.0.1:0", newProbe, asyncio.TLS(serverCfg))
		if err != nil {
			return err
		}
		for range conns {
			tr, _, err := asyncio.CreateConnection(ctx, "tcp", srv.Addrs()[0].String(), newProbe, asyncio.TLS(clientCfg))
			if err != nil {
				return err
			}
			tr.Write([]byte("hello"))
			tr.Close()
		}
		if err := allLost.Wait(ctx); err != nil {
			return err
		}
		// What the connections' goroutines posted last holds them until
		// it has run: wait for those goroutines to end (the server's too).
		srv.Close()
		if err := srv.WaitClosed(ctx); err != nil {
			return err
		}
		if err := asyncio.WaitIOGoroutines(ctx); err != nil {
			return err
		}
		// The loop hands out callback handles from blocks, and a block
		// keeps the callbacks of its handles: run a block's worth of
		// others, over two iterations, so that the connections' last
		// callbacks are let go.
		for range 2 {
			for range 128 {
				loop.CallSoon(func() {})
			}
			if err := asyncio.Sleep(ctx, 0); err != nil {
				return err
			}
		}
		runtime.GC()
		for i, p := range probes {
			if p.Value() != nil {
				t.Errorf("protocol %d of %d, and so its transport, is still reachable after ConnectionLost", i, len(probes))
			}
		}
		return nil
	})
}

// lostProbe is a protocol that calls lost from ConnectionLost and keeps
// nothing else.
type lostProbe struct {
	asyncio.BaseProtocol
	lost func()
}

func (p *lostProbe) ConnectionLost(error) { p.lost() }
