package main

import (
	"bytes"
	"testing"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `[0.0s] Download-1: waiting for semaphore
[0.0s] Download-1: acquired semaphore (1 running)
[0.0s] Download-2: waiting for semaphore
[0.0s] Download-2: acquired semaphore (2 running)
[0.0s] Download-3: waiting for semaphore
[0.0s] Download-3: acquired semaphore (3 running)
[0.0s] Download-4: waiting for semaphore
[0.0s] Download-5: waiting for semaphore
[0.0s] Download-6: waiting for semaphore
[0.0s] Download-7: waiting for semaphore
[0.0s] Download-8: waiting for semaphore
[0.0s] Download-9: waiting for semaphore
[0.0s] Download-10: waiting for semaphore
[0.5s] Download-2: releasing semaphore
[0.5s] Download-4: acquired semaphore (3 running)
[0.9s] Download-3: releasing semaphore
[0.9s] Download-5: acquired semaphore (3 running)
[1.1s] Download-4: releasing semaphore
[1.1s] Download-6: acquired semaphore (3 running)
[1.2s] Download-1: releasing semaphore
[1.2s] Download-7: acquired semaphore (3 running)
[1.5s] Download-6: releasing semaphore
[1.5s] Download-8: acquired semaphore (3 running)
[1.9s] Download-7: releasing semaphore
[1.9s] Download-9: acquired semaphore (3 running)
[2.0s] Download-5: releasing semaphore
[2.0s] Download-10: acquired semaphore (3 running)
[2.3s] Download-10: releasing semaphore
[2.4s] Download-9: releasing semaphore
[2.5s] Download-8: releasing semaphore
[2.5s] all 10 downloads done (one at a time they would take 7.2s)
Max concurrent downloads observed: 3 (limit 3)
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}
