package peer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Tinyproxy runs tinyproxy, an HTTP proxy that allows CONNECT to every
// port, for the rest of the test, and returns its URL,
// "http://127.0.0.1:port". It accepts clients from 127.0.0.1 only. It is
// ready when it says it accepts connections, and is stopped by SIGTERM
// and waited for when the test ends.
//
// Without tinyproxy in PATH, Tinyproxy ends the test through Missing.
func Tinyproxy(t testing.TB) string {
	t.Helper()
	tinyproxy := LookPath(t, "tinyproxy", "tinyproxy")
	conf := filepath.Join(t.TempDir(), "tinyproxy.conf")
	// tinyproxy takes its port from its configuration and cannot report a
	// port the kernel chose, so it is given one found free a moment
	// before. Should another process take it in between, tinyproxy exits
	// and another port is tried.
	var errs []error
	for range 3 {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(conf, fmt.Appendf(nil, tinyproxyConf, port), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err = start(t, func(line string) (string, bool) {
			return "", strings.Contains(line, "Accepting connections")
		}, tinyproxy, "-d", "-c", conf)
		if err == nil {
			return fmt.Sprintf("http://127.0.0.1:%d", port)
		}
		errs = append(errs, err)
	}
	t.Fatalf("tinyproxy did not start: %v", errors.Join(errs...))
	return ""
}

// tinyproxyConf is the configuration of Tinyproxy, with the port to fill
// in. It has no ConnectPort line, which lets CONNECT reach every port: the
// test servers' ports are ephemeral.
const tinyproxyConf = `Port %d
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 30
MaxClients 32
LogLevel Info
DisableViaHeader Yes
`

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
