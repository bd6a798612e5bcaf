package asyncio_test

import (
	"context"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

func ExampleRun() {
	sum, err := asyncio.Run(func(ctx context.Context) (int, error) {
		a := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 1, asyncio.Sleep(ctx, 10*time.Millisecond)
		})
		b := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) {
			return 2, asyncio.Sleep(ctx, 10*time.Millisecond)
		})
		x, err := a.Wait(ctx)
		if err != nil {
			return 0, err
		}
		y, err := b.Wait(ctx)
		return x + y, err
	})
	fmt.Println(sum, err)
	// Output: 3 <nil>
}

// A Runner runs several main functions on one loop.
func ExampleRunner() {
	r := asyncio.NewRunner()
	defer r.Close()
	for i := range 3 {
		r.Run(func(ctx context.Context) error {
			fmt.Println("run", i, "on the same loop:", asyncio.RunningLoop(ctx) == r.Loop())
			return nil
		})
	}
	// Output:
	// run 0 on the same loop: true
	// run 1 on the same loop: true
	// run 2 on the same loop: true
}

// A virtual clock makes time-based code run instantly and deterministically.
func ExampleVirtualClock() {
	clock := asyncio.NewVirtualClock()
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		start := asyncio.RunningLoop(ctx).Time()
		asyncio.Sleep(ctx, 90*time.Minute)
		fmt.Println("slept", asyncio.RunningLoop(ctx).Time()-start)
		return struct{}{}, nil
	}, asyncio.WithClock(clock))
	// Output: slept 1h30m0s
}
