package peer

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Certs are a certificate authority made for one test and a certificate
// it issued for the loopback addresses (127.0.0.1, ::1 and localhost), in
// the forms the TLS peers want them.
type Certs struct {
	// Server presents the issued certificate; it is what an
	// httptest.Server's TLS field or a TLS listener takes.
	Server *tls.Config

	// Pool holds the CA certificate, for Go clients (tls.Config.RootCAs).
	Pool *x509.CertPool

	// CAFile is the path of the CA certificate in PEM, for curl's
	// --cacert, Python's ssl.create_default_context(cafile=...) and
	// Node's ca option.
	CAFile string

	// CertFile and KeyFile are the paths of the issued certificate and of
	// its key (PKCS #8) in PEM, for a peer server, as in Python's
	// SSLContext.load_cert_chain(CertFile, KeyFile).
	CertFile, KeyFile string
}

// NewCerts makes a CA and a certificate it issues for the loopback
// addresses, both with ECDSA P-256 keys and valid from an hour ago for a
// day, writes their files to a directory removed when the test ends, and
// returns them. The certificates meet the strict checks of
// ssl.VERIFY_X509_STRICT (key usages, key identifiers, critical basic
// constraints).
func NewCerts(t testing.TB) *Certs {
	t.Helper()
	now := time.Now()

	caKey := newKey(t)
	caTemplate := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "peer test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		MaxPathLenZero:        true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTemplate, caTemplate, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}

	leafKey := newKey(t)
	leafTemplate := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "localhost"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	leafDER, err := x509.CreateCertificate(rand.Reader, leafTemplate, ca, &leafKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	leafKeyDER, err := x509.MarshalPKCS8PrivateKey(leafKey)
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	c := &Certs{
		Server: &tls.Config{Certificates: []tls.Certificate{{
			Certificate: [][]byte{leafDER},
			PrivateKey:  leafKey,
		}}},
		Pool:     x509.NewCertPool(),
		CAFile:   writePEM(t, dir, "ca.pem", "CERTIFICATE", caDER),
		CertFile: writePEM(t, dir, "cert.pem", "CERTIFICATE", leafDER),
		KeyFile:  writePEM(t, dir, "key.pem", "PRIVATE KEY", leafKeyDER),
	}
	c.Pool.AddCert(ca)
	return c
}

// Client returns a client configuration that trusts the CA of c.
func (c *Certs) Client() *tls.Config {
	return &tls.Config{RootCAs: c.Pool}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// serial returns a random serial number of 128 bits, as RFC 5280 allows
// (at most 20 bytes, positive).
func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func writePEM(t testing.TB, dir, name, blockType string, der []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	data := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
