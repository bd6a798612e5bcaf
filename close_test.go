package asyncio_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

// Close of a loop with tasks still pending unwinds them: their waits fail
// at once, their deferred cleanup runs, and their goroutines end (TestMain's
// leak check would catch one that did not).
func TestCloseUnwindsPendingTasks(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	var cleaned []string
	var sleepErr error
	r.Run(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { cleaned = append(cleaned, "sleeper") }()
			sleepErr = asyncio.Sleep(ctx, time.Hour)
			return 0, sleepErr
		})
		asyncio.Sleep(ctx, 0) // the sleeper starts and suspends
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer func() { cleaned = append(cleaned, "never started") }()
			return 0, nil
		})
		return nil
	})
	// The main task returned; the two others are pending. Closing the
	// loop directly (not through the runner's shutdown) must still end them.
	if err := r.Loop().Close(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if !errors.Is(sleepErr, context.Canceled) {
		t.Errorf("sleep in a task unwound by Close returned %v", sleepErr)
	}
	if len(cleaned) != 1 || cleaned[0] != "sleeper" {
		t.Errorf("cleanup ran for %v, want only the started task", cleaned)
	}
}

// A task that ignores every error is still unwound by Close: its waits
// return at once instead of suspending.
func TestCloseUnwindsStubbornTask(t *testing.T) {
	r := asyncio.NewRunner(asyncio.WithClock(asyncio.NewVirtualClock()))
	waits := 0
	r.Run(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			for i := 0; i < 5; i++ {
				asyncio.Sleep(ctx, time.Hour) // error ignored on purpose
				waits++
			}
			return 0, nil
		})
		return asyncio.Sleep(ctx, 0)
	})
	r.Loop().Close()
	if waits != 5 {
		t.Fatalf("stubborn task made %d waits", waits)
	}
}

// t.Fatal inside an asynciotest body ends the test and the loop cleanly.
func TestFatalInsideTaskEndsTest(t *testing.T) {
	ran := make(chan bool, 1)
	done := make(chan struct{})
	go func() {
		defer close(done)
		ft := &fakeT{}
		defer func() { ran <- ft.failed }()
		func() {
			defer func() { recover() }()
			asynciotest.Run(ft, func(ctx context.Context) error {
				asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
					return 0, asyncio.Sleep(ctx, time.Hour)
				})
				asyncio.Sleep(ctx, 0)
				ft.Fatalf("stop here")
				return nil
			})
		}()
	}()
	<-done
	if !<-ran {
		t.Fatal("Fatalf inside the body did not fail the test")
	}
}
