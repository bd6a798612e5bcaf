package peer_test

import (
	"crypto/tls"
	"testing"

	"github.com/asyncio-go/asyncio/aiohttp/internal/peer"
)

func TestCertsNames(t *testing.T) {
	certs := peer.NewCerts(t)
	srv := newStandIn(t, echo, certs.Server)
	for _, name := range []string{"localhost", "127.0.0.1", "::1"} {
		config := certs.Client()
		config.ServerName = name
		conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), config)
		if err != nil {
			t.Errorf("as %s: %v", name, err)
			continue
		}
		conn.Close()
	}
	// A name the certificate was not issued for fails: the names are
	// what was checked.
	config := certs.Client()
	config.ServerName = "example.com"
	if conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), config); err == nil {
		conn.Close()
		t.Error("as example.com: the handshake succeeded")
	}
	if _, err := tls.LoadX509KeyPair(certs.CertFile, certs.KeyFile); err != nil {
		t.Errorf("the PEM files: %v", err)
	}
}
