package asyncio

import (
	"context"
	"fmt"
	"io"
	"testing"
)

// BenchmarkWatchdog measures what the watchdog costs per loop step: a
// task step (Sleep(ctx, 0)) and a callback, with the watchdog off, on (the
// default: the probe is off while the loop is brisk), and with the probe
// on (each step counted, as after a long iteration), and while a trace
// times every step.
func BenchmarkWatchdog(b *testing.B) {
	modes := []struct {
		name  string
		opts  []Option
		probe bool
		trace bool
	}{
		{"off", []Option{WithWatchdog(false)}, false, false},
		{"on", nil, false, false},
		{"probing", nil, true, false},
		{"tracing", []Option{WithStallHandler(func(Stall) {})}, false, true}, // StopTrace, writing, stalls the loop
	}
	for _, m := range modes {
		b.Run("step=task/watchdog="+m.name, func(b *testing.B) {
			_, err := Run(func(ctx context.Context) (int, error) {
				l := RunningLoop(ctx)
				l.probe.Store(m.probe)
				if m.trace {
					l.StartTrace(io.Discard)
					defer l.StopTrace()
				}
				Sleep(ctx, 0)
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if err := Sleep(ctx, 0); err != nil {
						return 0, err
					}
				}
				b.StopTimer()
				return 0, nil
			}, m.opts...)
			if err != nil {
				b.Fatal(err)
			}
		})
		b.Run("step=callback/watchdog="+m.name, func(b *testing.B) {
			_, err := Run(func(ctx context.Context) (int, error) {
				l := RunningLoop(ctx)
				l.probe.Store(m.probe)
				if m.trace {
					l.StartTrace(io.Discard)
					defer l.StopTrace()
				}
				done := NewFuture[struct{}](ctx)
				n := 0
				var cb func()
				cb = func() {
					if n++; n == b.N {
						done.SetResult(struct{}{})
						return
					}
					l.CallSoon(cb)
				}
				b.ResetTimer()
				l.CallSoon(cb)
				_, err := done.Wait(ctx)
				b.StopTimer()
				return 0, err
			}, m.opts...)
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkTaskLabels measures what WithTaskLabels adds to a task: spawn
// and await, 1,000 tasks at a time, per task.
func BenchmarkTaskLabels(b *testing.B) {
	for _, on := range []bool{false, true} {
		b.Run(fmt.Sprintf("labels=%v", on), func(b *testing.B) {
			b.ReportAllocs()
			_, err := Run(func(ctx context.Context) (int, error) {
				tasks := make([]*Task[int], 0, 1000)
				b.ResetTimer()
				for left := b.N; left > 0; {
					n := min(left, 1000)
					left -= n
					for range n {
						tasks = append(tasks, Spawn(ctx, func(ctx context.Context) (int, error) { return 1, nil }))
					}
					for _, t := range tasks {
						if _, err := t.Wait(ctx); err != nil {
							return 0, err
						}
					}
					tasks = tasks[:0]
				}
				b.StopTimer()
				return 0, nil
			}, WithTaskLabels(on))
			if err != nil {
				b.Fatal(err)
			}
		})
	}
}

// BenchmarkThreadTimes measures one reading of the threads' times, which
// the watchdog takes once a sample period while the probe is on.
func BenchmarkThreadTimes(b *testing.B) {
	for b.Loop() {
		threadTimes()
	}
}
