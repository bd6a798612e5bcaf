package asyncio

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"syscall"
	"time"
	"weak"
)

// Default limits of a TLS handshake and of a TLS shutdown (asyncio's
// SSL_HANDSHAKE_TIMEOUT and SSL_SHUTDOWN_TIMEOUT).
const (
	DefaultTLSHandshakeTimeout = 60 * time.Second
	DefaultTLSShutdownTimeout  = 30 * time.Second
)

type tlsConfig struct {
	handshake, shutdown time.Duration
	server              bool
}

func newTLSConfig(opts []TLSOption) tlsConfig {
	c := tlsConfig{handshake: DefaultTLSHandshakeTimeout, shutdown: DefaultTLSShutdownTimeout}
	for _, o := range opts {
		o(&c)
	}
	return c
}

// StartTLS upgrades the connection of t to TLS (loop.start_tls): it runs
// the handshake over t, as the client unless ServerSide is given, and
// returns the new transport, which delivers to t's protocol from then on.
// The protocol gets no second ConnectionMade. t must not be used again.
// On failure t is aborted.
func StartTLS(ctx context.Context, t Transport, config *tls.Config, opts ...TLSOption) (Transport, error) {
	l := RunningLoop(ctx)
	if l == nil {
		return nil, ErrNoTask
	}
	if t.IsClosing() {
		return nil, ErrTransportClosing
	}
	cfg := newTLSConfig(opts)
	host := ""
	if ra, ok := t.RemoteAddr().(*net.TCPAddr); ok {
		host = ra.IP.String()
	}
	return startTLS(ctx, t, t.Protocol(), config, host, cfg, false)
}

// StartTLS upgrades the writer's connection to TLS in place
// (StreamWriter.start_tls); the reader reads the decrypted stream from
// then on. Data the reader buffered before the upgrade stays readable.
func (w *StreamWriter) StartTLS(ctx context.Context, config *tls.Config, opts ...TLSOption) error {
	t, err := StartTLS(ctx, w.tr, config, opts...)
	if err != nil {
		return err
	}
	w.tr, w.reader.tr = t, t
	return nil
}

// startTLS layers TLS with protocol p over inner, which carries the
// ciphertext. made says whether p is new (its ConnectionMade comes when
// the handshake is done) or already connected (StartTLS). It returns once
// the handshake is done.
func startTLS(ctx context.Context, inner Transport, p Protocol, config *tls.Config, host string, cfg tlsConfig, made bool) (Transport, error) {
	l := RunningLoop(ctx)
	t := newTLSTransport(l, inner, p, config, host, cfg)
	l.track(t)
	if made {
		inner.(transport).start(nil)
	}
	hs := NewFuture[struct{}](ctx)
	t.handshake(func(err error) {
		if err != nil {
			hs.TrySetError(err)
		} else {
			hs.TrySetResult(struct{}{})
		}
	})
	if _, err := hs.Wait(ctx); err != nil {
		t.Abort()
		return nil, err
	}
	if made {
		mf := NewFuture[struct{}](ctx)
		t.start(func() { mf.TrySetResult(struct{}{}) })
		if _, err := mf.Wait(ctx); err != nil {
			t.Abort()
			return nil, err
		}
	} else {
		t.startReader()
	}
	return t, nil
}

// newTLSTransport makes the transport of a TLS session run over inner,
// which from then on delivers to the session.
func newTLSTransport(l *Loop, inner Transport, p Protocol, config *tls.Config, host string, cfg tlsConfig) *connTransport {
	tc := newTransportConn(l, inner)
	inner.SetProtocol(tc)
	var conn *tls.Conn
	if cfg.server {
		conn = tls.Server(tc, config)
	} else {
		if config.ServerName == "" && !config.InsecureSkipVerify {
			config = config.Clone()
			config.ServerName = host
		}
		conn = tls.Client(tc, config)
	}
	t := newConnTransport(l, conn, p)
	t.abort, t.carrier = tc.abort, tc
	t.handshaking = true
	t.shutdownTimeout = cfg.shutdown
	t.handshakeTimeout = cfg.handshake
	return t
}

// handshake runs the TLS handshake on a goroutine of the loop's and calls
// done on the loop with its outcome. A loop timer bounds it; a virtual
// clock holds still while it runs, as for any work off the loop.
func (t *connTransport) handshake(done func(error)) {
	conn, tc := t.conn.(*tls.Conn), t.carrier
	var timedOut bool
	// A cancelled timer stays in the loop's heap until it is due or
	// purged: it holds the transport weakly, so that a connection closed
	// meanwhile is freed.
	wt := weak.Make(t)
	timer := t.loop.CallLater(t.handshakeTimeout, func() {
		if t := wt.Value(); t != nil {
			timedOut = true
			t.abort()
		}
	})
	l := t.loop
	l.external.Add(1)
	l.ioGoroutines.Add(1)
	go func() {
		defer l.ioGoroutines.Done()
		defer l.endExternal()
		err := conn.Handshake()
		var st tls.ConnectionState
		if err == nil {
			st = conn.ConnectionState()
		}
		l.CallSoonThreadsafe(func() {
			timer.Cancel()
			switch {
			case timedOut:
				err = &net.OpError{Op: "tls handshake", Net: netOf(conn), Err: ErrTimeout}
			case err != nil && !t.lost:
				// Send the alert that tells the peer why, then close.
				tc.Close()
				t.abort = func() {}
			case err == nil && t.closing:
				err = ErrTransportClosing
			case err == nil:
				t.handshaking = false
				t.tlsState = &st
			}
			done(err)
		})
	}()
}

// armShutdownTimer aborts t, after Close, if its closing exchange outlasts
// the shutdown timeout. finish cancels the timer, and the timer holds t
// weakly, since a cancelled timer stays in the loop's heap until it is due
// or purged: a closed connection's transport, buffers and TLS state are
// freed when it closes, not when the timer would have fired.
func (t *connTransport) armShutdownTimer() {
	if t.shutdownTimeout <= 0 {
		return
	}
	wt := weak.Make(t)
	t.shutdownTimer = t.loop.CallLater(t.shutdownTimeout, func() {
		if t := wt.Value(); t != nil && !t.lost {
			t.finish(nil) // the peer took too long: abort
		}
	})
}

// acceptTLS runs the server's side of the handshake on an accepted
// connection, then connects it to a new protocol. Until the handshake is
// done the server counts the connection under it.
func (s *Server) acceptTLS(inner transport) {
	t := newTLSTransport(s.loop, inner, s.factory(), s.cfg.tls, "", tlsConfig{
		handshake: s.cfg.tlsOpts.handshake, shutdown: s.cfg.tlsOpts.shutdown, server: true,
	})
	inner.start(nil)
	t.handshake(func(err error) {
		if err != nil {
			t.Abort()
			if !quietTLSError(err) {
				s.loop.CallExceptionHandler(ExceptionContext{Message: "TLS handshake failed", Err: err})
			}
			return
		}
		// From now on the server counts the TLS transport, which closes
		// the one under it. The one under it may have been lost since
		// the handshake ended (a peer that reset the connection at once),
		// which took it out of the server's count already; the TLS
		// transport then finds it lost once it reads. Otherwise the loop
		// tracks it, as it does a dialled one: its close may still be
		// pending when the loop closes (fdTransport.Close finishes in a
		// callback), and the loop must then close its socket.
		if inner.link().srv == s {
			s.remove(inner)
			s.loop.track(inner)
		}
		s.add(t)
		t.start(nil)
	})
}

// quietTLSError reports whether a handshake failed only because the peer
// went away, which asyncio logs in debug mode only.
func quietTLSError(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, net.ErrClosed) || errors.Is(err, ErrTransportClosing)
}
