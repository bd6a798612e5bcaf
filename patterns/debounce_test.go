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

// triggerAt schedules trigger at each of the times, in milliseconds of
// loop time.
func triggerAt(ctx context.Context, trigger func(), times ...int) {
	l := asyncio.RunningLoop(ctx)
	for _, t := range times {
		l.CallAt(ms(t), trigger)
	}
}

// debounceCase runs a Debouncer with the options over the trigger times
// and returns the times, in ms, at which fn ran.
func debounceCase(t *testing.T, quiet int, triggers []int, opts ...patterns.DebounceOption) []int {
	var calls []int
	asynciotest.Run(t, func(ctx context.Context) error {
		d := patterns.NewDebouncer(ctx, ms(quiet), func() {
			calls = append(calls, int(now(ctx)/time.Millisecond))
		}, opts...)
		triggerAt(ctx, d.Trigger, triggers...)
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		if d.Pending() {
			t.Error("a call still pending an hour later")
		}
		if int(d.Runs()) != len(calls) {
			t.Errorf("Runs = %d, fn ran %d times", d.Runs(), len(calls))
		}
		return nil
	})
	return calls
}

func TestDebouncer(t *testing.T) {
	for _, c := range []struct {
		name     string
		triggers []int
		opts     []patterns.DebounceOption
		want     []int
	}{
		{"trailing, one burst", []int{0, 100, 200}, nil, []int{500}},
		{"trailing, two bursts", []int{0, 100, 700, 750}, nil, []int{400, 1050}},
		{"trailing, a gap just under the quiet period", []int{0, 299, 598}, nil, []int{898}},
		{"trailing, a gap of exactly the quiet period", []int{0, 300}, nil, []int{300, 600}},
		{"leading only", []int{0, 100, 200, 1000}, []patterns.DebounceOption{patterns.DebounceLeading(true), patterns.DebounceTrailing(false)}, []int{0, 1000}},
		{"leading and trailing", []int{0, 100, 200}, []patterns.DebounceOption{patterns.DebounceLeading(true)}, []int{0, 500}},
		{"leading and trailing, a single trigger", []int{0}, []patterns.DebounceOption{patterns.DebounceLeading(true)}, []int{0}},
		{"max wait", []int{0, 200, 400, 600, 800, 1000, 1200, 1400}, []patterns.DebounceOption{patterns.DebounceMaxWait(ms(1000))}, []int{1000, 1700}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := debounceCase(t, 300, c.triggers, c.opts...); !slices.Equal(got, c.want) {
				t.Errorf("calls at %v ms, want %v", got, c.want)
			}
		})
	}
}

func TestDebouncerFlush(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var calls []time.Duration
		d := patterns.NewDebouncer(ctx, time.Second, func() { calls = append(calls, now(ctx)) })
		if d.Flush() {
			t.Error("Flush with nothing pending ran fn")
		}
		d.Trigger()
		asyncio.Sleep(ctx, ms(100))
		if !d.Pending() {
			t.Error("not pending after a Trigger")
		}
		if !d.Flush() {
			t.Error("Flush did not run the pending call")
		}
		if !slices.Equal(calls, []time.Duration{ms(100)}) {
			t.Errorf("calls %v, want [100ms] (inline in Flush)", calls)
		}
		asyncio.Sleep(ctx, time.Hour)
		if len(calls) != 1 {
			t.Errorf("fn ran again after Flush: %v", calls)
		}
		return nil
	})
}

func TestDebouncerStop(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		runs := 0
		d := patterns.NewDebouncer(ctx, time.Second, func() { runs++ })
		d.Trigger()
		if !d.Stop() {
			t.Error("Stop did not report the dropped call")
		}
		d.Trigger()
		asyncio.Sleep(ctx, time.Hour)
		if runs != 0 || d.Pending() {
			t.Errorf("fn ran %d times after Stop, pending %v", runs, d.Pending())
		}
		if d.Stop() {
			t.Error("second Stop reported a dropped call")
		}
		return nil
	})
}

// fn may trigger the debouncer again: that starts a new burst.
func TestDebouncerReentrant(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		var calls []time.Duration
		var d *patterns.Debouncer
		d = patterns.NewDebouncer(ctx, time.Second, func() {
			calls = append(calls, now(ctx))
			if len(calls) < 3 {
				d.Trigger()
			}
		}, patterns.DebounceLeading(true))
		d.Trigger()
		asyncio.Sleep(ctx, time.Hour)
		// 0: leading; its Trigger makes a trailing call owed at 1s,
		// whose Trigger starts a new burst with a leading call... at 1s.
		want := []time.Duration{0, time.Second, time.Second}
		if !slices.Equal(calls, want) {
			t.Errorf("calls %v, want %v", calls, want)
		}
		return nil
	})
}

func TestDebouncerMisuse(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		mustPanic(t, "quiet 0", func() { patterns.NewDebouncer(ctx, 0, func() {}) })
		mustPanic(t, "no edge", func() {
			patterns.NewDebouncer(ctx, time.Second, func() {}, patterns.DebounceTrailing(false))
		})
		mustPanic(t, "max wait < quiet", func() {
			patterns.NewDebouncer(ctx, time.Second, func() {}, patterns.DebounceMaxWait(ms(10)))
		})
		mustPanic(t, "no loop", func() { patterns.NewDebouncer(context.Background(), time.Second, func() {}) })
		return nil
	})
}

func ExampleDebouncer() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		loop := asyncio.RunningLoop(ctx)
		text := ""
		d := patterns.NewDebouncer(ctx, 300*time.Millisecond, func() {
			fmt.Printf("%v: search %q\n", loop.Time(), text)
		})
		for _, key := range "go asyncio" {
			text += string(key)
			d.Trigger()
			pause := 100 * time.Millisecond
			if key == ' ' {
				pause = time.Second // the user stops to think
			}
			if err := asyncio.Sleep(ctx, pause); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, asyncio.Sleep(ctx, time.Second)
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// 500ms: search "go "
	// 2.1s: search "go asyncio"
}
