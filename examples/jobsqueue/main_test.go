package main

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/internal/leakcheck"
	"github.com/asyncio-go/asyncio/internal/servicetest"
	"github.com/nats-io/nats.go"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

// TestRun runs both sides against the NATS server of NATS_URL (by default
// the project machines' own) on a queue of its own.
func TestRun(t *testing.T) {
	u := servicetest.URL(t, "NATS_URL", "nats://127.0.0.1:4222", "NATS server with JetStream")
	var b [4]byte
	rand.Read(b[:])
	queue := "example-jobsqueue-" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if nc, err := nats.Connect(u); err == nil {
			for _, s := range []string{queue, queue + "_dead"} {
				nc.Request("$JS.API.STREAM.DELETE."+s, nil, 5*time.Second)
			}
			nc.Close()
		}
	})
	var buf bytes.Buffer
	if err := run(&buf, u, queue, "both", 0); err != nil {
		t.Fatal(err)
	}
	const want = `put 10 orders; waiting until they are processed
all orders processed
order 1 from Producer-1 processed (10ms)
order 2 from Producer-1 processed (20ms)
order 3 from Producer-1 processed (30ms)
order 4 from Producer-1 processed (40ms)
order 5 from Producer-1 processed (50ms)
order 6 from Producer-2 processed (10ms)
order 7 from Producer-2 processed (20ms)
order 8 from Producer-2 processed (30ms)
order 9 from Producer-2 processed (40ms)
order 10 from Producer-2 processed (50ms)
10 orders processed, 300ms of work
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
