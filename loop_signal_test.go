//go:build unix

package asyncio_test

import (
	"context"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestSignalHandlerRunsOnLoop(t *testing.T) {
	asyncio.Run(func(ctx context.Context) (int, error) {
		loop := asyncio.RunningLoop(ctx)
		got := asyncio.NewEvent()
		calls := 0
		if err := loop.AddSignalHandler(syscall.SIGUSR1, func() { calls++; got.Set() }); err != nil {
			t.Fatal(err)
		}
		syscall.Kill(os.Getpid(), syscall.SIGUSR1)
		if err := got.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if calls != 1 {
			t.Errorf("handler ran %d times", calls)
		}
		if !loop.RemoveSignalHandler(syscall.SIGUSR1) || loop.RemoveSignalHandler(syscall.SIGUSR1) {
			t.Error("RemoveSignalHandler should report true once")
		}
		return 0, nil
	})
}

// The first Ctrl-C cancels the main task with ErrInterrupted.
func TestRunHandlesInterrupt(t *testing.T) {
	cleaned := false
	_, err := asyncio.Run(func(ctx context.Context) (int, error) {
		defer func() { cleaned = true }()
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		return 0, asyncio.NewEvent().Wait(ctx) // no timer: only the signal ends this
	})
	if !errors.Is(err, asyncio.ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run after SIGINT: %v", err)
	}
	if !cleaned {
		t.Fatal("main's deferred cleanup did not run")
	}
}
