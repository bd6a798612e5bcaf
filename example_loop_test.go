package asyncio_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

func ExampleLoop_CallLater() {
	loop := asyncio.NewLoop(asyncio.WithClock(asyncio.NewVirtualClock()))
	defer loop.Close()
	loop.CallLater(2*time.Second, func() { fmt.Println("later at", loop.Time()); loop.Stop() })
	loop.CallAt(time.Second, func() { fmt.Println("at", loop.Time()) })
	loop.CallSoon(func() { fmt.Println("soon at", loop.Time()) })
	loop.RunForever()
	// Output:
	// soon at 0s
	// at 1s
	// later at 2s
}

// A future is resolved from an ordinary goroutine and awaited by a task.
func ExampleFuture() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		f := asyncio.NewFuture[int](ctx)
		go func() { f.SetResult(42) }()
		v, err := f.Wait(ctx)
		fmt.Println(v, err)
		return struct{}{}, nil
	})
	// Output: 42 <nil>
}

func ExampleToThread() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		n, err := asyncio.ToThread(ctx, func() (int, error) {
			time.Sleep(time.Millisecond) // a blocking call, off the loop
			return 7, nil
		})
		fmt.Println(n, err)
		return struct{}{}, nil
	})
	// Output: 7 <nil>
}
