package asyncio_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// order runs eight tasks ready in the same iteration, plus two callbacks,
// under seed, and returns the order they ran in.
func scheduleOrder(t *testing.T, opts ...asyncio.Option) []string {
	var order []string
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		var tasks []*asyncio.Task[struct{}]
		l := asyncio.RunningLoop(ctx)
		l.CallSoon(func() { order = append(order, "cb1") })
		for i := range 8 {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				order = append(order, fmt.Sprint(i))
				return struct{}{}, nil
			}))
		}
		l.CallSoon(func() { order = append(order, "cb2") })
		for _, task := range tasks {
			task.Wait(ctx)
		}
		return struct{}{}, nil
	}, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return order
}

func TestScheduleSeed(t *testing.T) {
	fifo := scheduleOrder(t)
	if want := []string{"cb1", "0", "1", "2", "3", "4", "5", "6", "7", "cb2"}; !slices.Equal(fifo, want) {
		t.Fatalf("without a seed: %v, want %v", fifo, want)
	}
	seen := map[string]bool{}
	for seed := range uint64(20) {
		a := scheduleOrder(t, asyncio.WithScheduleSeed(seed))
		b := scheduleOrder(t, asyncio.WithScheduleSeed(seed))
		if !slices.Equal(a, b) {
			t.Errorf("seed %d: %v then %v", seed, a, b)
		}
		if a[0] != "cb1" || a[9] != "cb2" {
			t.Errorf("seed %d moved a callback: %v", seed, a)
		}
		seen[fmt.Sprint(a)] = true
	}
	if len(seen) < 15 {
		t.Errorf("20 seeds gave only %d orders", len(seen))
	}
}
