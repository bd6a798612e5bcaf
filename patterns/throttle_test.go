package patterns_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/patterns"
)

func TestThrottle(t *testing.T) {
	for _, c := range []struct {
		name     string
		triggers []int
		trailing bool
		want     []int
	}{
		{"leading, calls in between dropped", []int{0, 30, 60, 120, 150, 250}, false, []int{0, 120, 250}},
		{"leading, a trigger exactly at the end of the interval", []int{0, 100, 200}, false, []int{0, 100, 200}},
		{"trailing, coalesced", []int{0, 30, 60, 150, 450}, true, []int{0, 100, 200, 450}},
		{"trailing, nothing in between", []int{0, 250}, true, []int{0, 250}},
		{"trailing, a trigger exactly at the end of the interval", []int{0, 50, 100}, true, []int{0, 100, 200}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var calls []int
			asynciotest.Run(t, func(ctx context.Context) error {
				th := patterns.NewThrottle(ctx, ms(100), func() {
					calls = append(calls, int(now(ctx)/time.Millisecond))
				}, patterns.ThrottleTrailing(c.trailing))
				triggerAt(ctx, func() { th.Trigger() }, c.triggers...)
				if err := asyncio.Sleep(ctx, time.Hour); err != nil {
					return err
				}
				// Every trigger ran fn, or was dropped or coalesced.
				if int(th.Runs()+th.Dropped()) != len(c.triggers) || th.Pending() {
					t.Errorf("%d runs + %d dropped for %d triggers, pending %v", th.Runs(), th.Dropped(), len(c.triggers), th.Pending())
				}
				return nil
			})
			if !slices.Equal(calls, c.want) {
				t.Errorf("calls at %v ms, want %v", calls, c.want)
			}
		})
	}
}

func TestThrottleLeadingIsInline(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		ran := false
		th := patterns.NewThrottle(ctx, time.Second, func() { ran = true })
		if !th.Trigger() || !ran {
			t.Error("the leading call did not run inside Trigger")
		}
		if th.Trigger() {
			t.Error("a second Trigger within the interval ran fn")
		}
		return nil
	})
}

func TestThrottleStop(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		runs := 0
		th := patterns.NewThrottle(ctx, time.Second, func() { runs++ }, patterns.ThrottleTrailing(true))
		th.Trigger()
		th.Trigger()
		if !th.Pending() {
			t.Error("no trailing call pending")
		}
		if !th.Stop() {
			t.Error("Stop did not report the dropped call")
		}
		th.Trigger()
		asyncio.Sleep(ctx, time.Hour)
		if runs != 1 {
			t.Errorf("fn ran %d times, want 1", runs)
		}
		if th.Runs() != 1 || th.Dropped() != 1 {
			t.Errorf("runs %d, dropped %d", th.Runs(), th.Dropped())
		}
		return nil
	})
}

func TestThrottleMisuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		mustPanic(t, "interval 0", func() { patterns.NewThrottle(ctx, 0, func() {}) })
		mustPanic(t, "no loop", func() { patterns.NewThrottle(context.Background(), time.Second, func() {}) })
		return nil
	})
}

func ExampleThrottle() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		done := 0
		th := patterns.NewThrottle(ctx, time.Second, func() {
			fmt.Printf("%v: %d%% done\n", loop.Time(), done)
		}, patterns.ThrottleTrailing(true))
		for done < 100 {
			if err := asyncio.Sleep(ctx, 300*time.Millisecond); err != nil {
				return struct{}{}, err
			}
			done += 10
			th.Trigger() // redraws at most once a second
		}
		return struct{}{}, asyncio.Sleep(ctx, time.Second)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// 300ms: 10% done
	// 1.3s: 40% done
	// 2.3s: 70% done
	// 3.3s: 100% done
}
