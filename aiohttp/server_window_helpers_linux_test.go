package aiohttp_test

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// sendWindow returns the window the peer of c last advertised (Linux's
// tcpi_snd_wnd): 0 once the peer has stopped reading and its receive
// buffer is full.
func sendWindow(t *testing.T, c net.Conn) int64 {
	t.Helper()
	raw, err := c.(*net.TCPConn).SyscallConn()
	if err != nil {
		t.Fatal(err)
	}
	wnd := int64(-1)
	raw.Control(func(fd uintptr) {
		if info, err := unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO); err == nil {
			wnd = int64(info.Snd_wnd)
		}
	})
	return wnd
}
