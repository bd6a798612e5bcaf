package aiohttp_test

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// TestServerClientGoneCancelsHandler: a client that shuts its side of the
// connection while its request runs has gone, and the handler's ctx is
// cancelled with a cause that says so, as net/http cancels it.
func TestServerClientGoneCancelsHandler(t *testing.T) {
	causes := make(chan error, 1)
	wait := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := asyncio.Sleep(r.Context(), 1<<62); err != nil {
			causes <- context.Cause(r.Context())
		}
	})
	serve(t, wait, func(addr string) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close()
		if _, err := c.Write([]byte("GET /long HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			t.Error(err)
			return
		}
		if err := c.(*net.TCPConn).CloseWrite(); err != nil {
			t.Error(err)
			return
		}
		cause := <-causes
		if cause == nil || !strings.Contains(cause.Error(), "client closed") {
			t.Errorf("handler's ctx ended with cause %v, want the client's leaving", cause)
		}
	})
}
