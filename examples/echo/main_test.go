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
	var out strings.Builder
	if err := run(&out, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	want := `Serving on 127.0.0.1 (a free port)
Send: "Hello World!", received: "Hello World!"
Send: "asyncio for Go", received: "asyncio for Go"
Send: "echo, echo", received: "echo, echo"
Server closed
`
	if got := out.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
