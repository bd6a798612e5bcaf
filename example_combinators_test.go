package asyncio_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asyncio-go/asyncio"
)

func work(name string, d time.Duration) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		return name, asyncio.Sleep(ctx, d)
	}
}

func ExampleGather() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		start := asyncio.RunningLoop(ctx).Time()
		names, err := asyncio.Gather(ctx, work("slow", 3*time.Second), work("fast", time.Second))
		fmt.Println(names, err, asyncio.RunningLoop(ctx).Time()-start)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output: [slow fast] <nil> 3s
}

func ExampleGatherSettled() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		results, _ := asyncio.GatherSettled(ctx,
			work("ok", time.Second),
			func(ctx context.Context) (string, error) { return "", errors.New("failed") },
		)
		for _, r := range results {
			fmt.Printf("%q %v\n", r.Value, r.Err)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// "ok" <nil>
	// "" failed
}

func ExampleWaitFor() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		_, err := asyncio.WaitFor(ctx, time.Second, work("slow", time.Hour))
		fmt.Println(err, errors.Is(err, asyncio.ErrTimeout), errors.Is(err, context.DeadlineExceeded))
		v, err := asyncio.WaitFor(ctx, time.Second, work("quick", time.Millisecond))
		fmt.Println(v, err)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// asyncio: timeout true true
	// quick <nil>
}

// A timeout scope whose deadline moves: a heartbeat pushes it back.
func ExampleNewTimeout() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		scope := asyncio.NewTimeout(ctx, 2*time.Second)
		var err error
		for range 3 {
			if err = asyncio.Sleep(scope.Context(), time.Second); err != nil {
				break
			}
			scope.Reschedule(loop.Time() + 2*time.Second) // still alive
		}
		err = asyncio.Sleep(scope.Context(), time.Hour) // no more heartbeats
		err = scope.Close(err)
		fmt.Println(err, scope.Expired(), loop.Time())
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output: asyncio: timeout true 5s
}

func ExampleWithTaskGroup() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		var a, b *asyncio.Task[string]
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			a = asyncio.SpawnIn(g, work("a", time.Second))
			b = asyncio.SpawnIn(g, work("b", 2*time.Second))
			return nil
		})
		x, _ := a.Result()
		y, _ := b.Result()
		fmt.Println(x, y, err)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output: a b <nil>
}

// The first failure in a group cancels the other children, and is the
// cause of their cancellation.
func ExampleWithTaskGroup_failure() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		err := asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			g.Go(func(ctx context.Context) error {
				err := asyncio.Sleep(ctx, time.Hour)
				fmt.Println("sibling:", err)
				return err
			})
			g.Go(func(ctx context.Context) error {
				asyncio.Sleep(ctx, time.Second)
				return errors.New("disk full")
			})
			return nil
		})
		fmt.Println("group:", err)
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// sibling: context canceled: disk full
	// group: disk full
}

// Start waits until a child reports that it is ready.
func ExampleStart() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		return struct{}{}, asyncio.WithTaskGroup(ctx, func(ctx context.Context, g *asyncio.TaskGroup) error {
			addr, err := asyncio.Start(ctx, g, func(ctx context.Context, started func(string)) error {
				asyncio.Sleep(ctx, time.Second) // bind, listen...
				started("127.0.0.1:8080")
				return nil // serve...
			})
			fmt.Println("server ready at", addr, err)
			return nil
		})
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output: server ready at 127.0.0.1:8080 <nil>
}

func ExampleAsCompleted() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		tasks := []*asyncio.Task[string]{
			asyncio.Spawn(ctx, work("third", 3*time.Second)),
			asyncio.Spawn(ctx, work("first", time.Second)),
			asyncio.Spawn(ctx, work("second", 2*time.Second)),
		}
		for t, err := range asyncio.AsCompleted(ctx, tasks) {
			if err != nil {
				return struct{}{}, err
			}
			v, _ := t.Result()
			fmt.Println(v)
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// first
	// second
	// third
}

func ExampleWait() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		tasks := []*asyncio.Task[string]{
			asyncio.Spawn(ctx, work("slow", time.Hour)),
			asyncio.Spawn(ctx, work("fast", time.Second)),
		}
		done, pending, _ := asyncio.Wait(ctx, tasks, asyncio.FirstCompleted)
		fmt.Println(len(done), "done,", len(pending), "pending")
		for _, t := range pending {
			t.Cancel()
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output: 1 done, 1 pending
}

func ExampleShield() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		caller := asyncio.Spawn(ctx, func(ctx context.Context) (string, error) {
			return asyncio.Shield(ctx, func(ctx context.Context) (string, error) {
				asyncio.Sleep(ctx, time.Second)
				fmt.Println("the shielded work finished anyway")
				return "saved", nil
			})
		})
		asyncio.Sleep(ctx, 0)
		caller.Cancel()
		_, err := caller.Wait(ctx)
		fmt.Println("caller:", err)
		return struct{}{}, asyncio.Sleep(ctx, 2*time.Second)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// caller: context canceled
	// the shielded work finished anyway
}
