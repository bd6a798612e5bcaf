package monitor

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

// maxSocketPath is about the longest path a Unix socket may have: the
// kernel keeps it in a fixed array, of 104 bytes on macOS and the BSDs,
// 108 on Linux.
const maxSocketPath = 103

// listenUnix listens on a Unix socket at path, replacing a socket left
// there by a process that no longer listens on it.
func listenUnix(path string) (net.Listener, error) {
	if len(path) > maxSocketPath {
		return nil, fmt.Errorf("socket path %s is %d bytes long; Unix sockets allow about %d", path, len(path), maxSocketPath)
	}
	ln, err := net.Listen("unix", path)
	if errors.Is(err, syscall.EADDRINUSE) {
		// A process that exits without Close (killed, or ending with
		// os.Exit) leaves its socket behind, and a later process may be
		// given the same pid. A socket nobody accepts on is such a
		// leftover; one that answers belongs to a live endpoint.
		if c, derr := net.Dial("unix", path); derr == nil {
			c.Close()
			return nil, fmt.Errorf("%s: another endpoint is serving there", path)
		}
		// Remove only a socket: a regular file named by mistake is not
		// ours to delete.
		if fi, serr := os.Lstat(path); serr == nil && fi.Mode()&os.ModeSocket != 0 {
			os.Remove(path)
		}
		ln, err = net.Listen("unix", path)
	}
	if err != nil {
		return nil, err
	}
	// Connecting to a socket takes write permission on it. The usual
	// umask already denies that to other users; a permissive one would
	// not, so the mode is set whatever the umask. (A connection made in
	// the moment between the two calls would still be served: setting
	// the umask instead would affect every goroutine of the process.)
	if err := os.Chmod(path, 0o600); err != nil {
		ln.Close()
		return nil, err
	}
	return ln, nil
}

// listenLoopback listens on TCP at addr, which must name a loopback
// address: the endpoint shows what any user who can connect asks for.
func listenLoopback(addr string) (net.Listener, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("TCP address %q: %w", addr, err)
	}
	switch ip := net.ParseIP(host); {
	case host == "":
		return nil, fmt.Errorf("TCP address %q would listen on every interface; the endpoint serves only on loopback: use 127.0.0.1:%s", addr, port)
	case host == "localhost":
	case ip == nil:
		return nil, fmt.Errorf("TCP address %q: the endpoint serves only on loopback: use 127.0.0.1, [::1] or localhost, not a host name", addr)
	case !ip.IsLoopback():
		return nil, fmt.Errorf("TCP address %q is not a loopback address; the endpoint serves only on loopback: use 127.0.0.1:%s", addr, port)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	// localhost is whatever the resolver says it is.
	if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("TCP address %q resolved to %v, which is not a loopback address", addr, ln.Addr())
	}
	return ln, nil
}
