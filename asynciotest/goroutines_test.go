package asynciotest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// A goroutine the test starts and never stops is reported with its stack.
func TestCheckGoroutinesReportsLeak(t *testing.T) {
	r := &recorder{}
	asynciotest.CheckGoroutinesWithin(r, 20*time.Millisecond)
	stop := make(chan struct{})
	go leakyWorker(stop)
	r.runCleanups()
	close(stop)
	if r.errors != 1 || !strings.Contains(r.messages[0], "1 goroutine(s) started by the test outlived it") ||
		!strings.Contains(r.messages[0], "leakyWorker") {
		t.Fatalf("errors %d, messages %q: want the worker reported", r.errors, r.messages)
	}
}

func leakyWorker(stop chan struct{}) { <-stop }

// A goroutine stopped by a later cleanup, and the goroutines of a loop
// that closed, are not leaks; goroutines from before the call are not the
// test's.
func TestCheckGoroutinesPassesCleanTest(t *testing.T) {
	before := make(chan struct{})
	go leakyWorker(before)
	defer close(before)

	r := &recorder{}
	asynciotest.CheckGoroutines(r)
	stop := make(chan struct{})
	go leakyWorker(stop)
	r.Cleanup(func() { close(stop) })
	asynciotest.Run(r, func(ctx context.Context) error {
		_, err := asyncio.ToThread(ctx, func() (int, error) { return 1, nil })
		return err
	})
	r.runCleanups()
	if r.errors != 0 {
		t.Fatalf("messages %q: want no report", r.messages)
	}
}
