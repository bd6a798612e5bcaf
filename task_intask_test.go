package asyncio_test

import (
	"context"
	"testing"

	"github.com/asyncio-go/asyncio"
)

func TestInTask(t *testing.T) {
	if asyncio.InTask(context.Background()) {
		t.Error("InTask(Background) = true")
	}
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		if !asyncio.InTask(ctx) {
			t.Error("InTask of the running task's ctx = false")
		}
		child, cancel := context.WithCancel(ctx)
		defer cancel()
		if !asyncio.InTask(child) {
			t.Error("InTask of a ctx derived from the task's = false")
		}
		other := asyncio.Spawn(ctx, func(octx context.Context) (bool, error) {
			return asyncio.InTask(ctx), nil // the parent's ctx, from the child
		})
		if fromChild, _ := other.Wait(ctx); fromChild {
			t.Error("InTask of another task's ctx = true")
		}
		// The goroutine asks once the task has yielded (the callback runs
		// only then), so it cannot be taken for the task.
		fromGoroutine, yielded := make(chan bool), make(chan struct{})
		go func() { <-yielded; fromGoroutine <- asyncio.InTask(ctx) }()
		asyncio.RunningLoop(ctx).CallSoon(func() { close(yielded) })
		v, _, err := asyncio.Recv(ctx, fromGoroutine)
		if err != nil || v {
			t.Errorf("InTask from a plain goroutine = %v, %v", v, err)
		}
		fromCallback := make(chan bool, 1)
		asyncio.RunningLoop(ctx).CallSoon(func() { fromCallback <- asyncio.InTask(ctx) })
		if err := asyncio.Sleep(ctx, 0); err != nil {
			return struct{}{}, err
		}
		if <-fromCallback {
			t.Error("InTask from a callback = true")
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestInTaskFalseInToThread: the function ToThread runs starts only once
// its task waits, so it is never taken for the task, however soon the
// executor's goroutine starts it.
func TestInTaskFalseInToThread(t *testing.T) {
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		for i := range 500 {
			inTask, err := asyncio.ToThread(ctx, func() (bool, error) { return asyncio.InTask(ctx), nil })
			if err != nil {
				return struct{}{}, err
			}
			if inTask {
				t.Fatalf("call %d: InTask in ToThread's function = true", i)
			}
		}
		return struct{}{}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
