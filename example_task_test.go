package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

func ExampleSpawn() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		t := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			fmt.Println("child runs once the parent waits")
			return "result", nil
		}, asyncio.Name("child"))
		fmt.Println("parent spawned", t.Name())
		v, err := t.Wait(ctx)
		fmt.Println(v, err)
		return struct{}{}, nil
	})
	// Output:
	// parent spawned child
	// child runs once the parent waits
	// result <nil>
}

// Cancelling a task makes its waits fail; its deferred cleanup runs.
func ExampleTask_Cancel() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		t := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			defer fmt.Println("cleanup")
			return 0, asyncio.Sleep(ctx, time.Hour)
		})
		asyncio.Sleep(ctx, 0) // let it start
		t.Cancel()
		_, err := t.Wait(ctx)
		fmt.Println(errors.Is(err, context.Canceled), t.Cancelled())
		return struct{}{}, nil
	})
	// Output:
	// cleanup
	// true true
}

func ExampleSleep_zero() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		for _, name := range []string{"a", "b"} {
			asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
				for i := range 2 {
					fmt.Println(name, i)
					asyncio.Sleep(ctx, 0) // give the loop to the other task
				}
				return 0, nil
			})
		}
		return struct{}{}, asyncio.Sleep(ctx, time.Millisecond)
	})
	// Output:
	// a 0
	// b 0
	// a 1
	// b 1
}
