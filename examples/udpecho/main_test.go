//go:build unix

package main

import (
	"strings"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestOutput(t *testing.T) {
	want := `Starting UDP server on 127.0.0.1 (a free port)
Client: send "Hello World!"
Server: received "Hello World!" from the client, sending it back
Client: received "Hello World!"
Client: close the socket
Client: connection closed
Now to a port nobody listens on
Client: send "Anybody there?"
Client: error received: connection refused
Client: connection closed
`
	backends := []asyncio.IOBackend{asyncio.BackendPortable}
	if asyncio.DefaultIOBackend() == asyncio.BackendPoller {
		backends = append(backends, asyncio.BackendPoller)
	}
	for _, b := range backends {
		t.Run(string(b), func(t *testing.T) {
			var out strings.Builder
			// The real clock: the ICMP answer comes from the system, and a
			// virtual clock would jump to the client's timeout meanwhile.
			if err := run(&out, asyncio.WithClock(asyncio.NewRealClock()), asyncio.WithIOBackend(b)); err != nil {
				t.Fatal(err)
			}
			if got := out.String(); got != want {
				t.Errorf("output:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}
