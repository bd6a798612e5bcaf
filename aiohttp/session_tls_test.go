package aiohttp_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/aiohttp"
)

// clientCert makes a self-signed client certificate.
func clientCert(t *testing.T) (tls.Certificate, *x509.Certificate) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "test client"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

// TestSessionTLSClientCertificateAndALPN: a server that requires a client
// certificate sees the session's, and the session offers HTTP/1.1 by ALPN.
func TestSessionTLSClientCertificateAndALPN(t *testing.T) {
	cert, leaf := clientCert(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.TLS.PeerCertificates[0].Subject.CommonName+" via "+r.TLS.NegotiatedProtocol)
	}))
	cas := x509.NewCertPool()
	cas.AddCert(leaf)
	srv.TLS = &tls.Config{ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: cas, NextProtos: []string{"http/1.1"}}
	srv.StartTLS()
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	run(t, func(ctx context.Context, s *aiohttp.Session) error {
		got, err := text(ctx, s, srv.URL)
		if err != nil {
			return err
		}
		if got != "test client via http/1.1" {
			t.Errorf("got %q", got)
		}
		return nil
	}, aiohttp.TLS(&tls.Config{RootCAs: roots, Certificates: []tls.Certificate{cert}}))
}
