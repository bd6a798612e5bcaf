package asyncio

import (
	"context"
	"testing"
)

func BenchmarkSmokeSwitch(b *testing.B) {
	Run(func(ctx context.Context) (int, error) {
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			Sleep(ctx, 0)
		}
		return 0, nil
	})
}

func BenchmarkSmokeCallSoon(b *testing.B) {
	l := NewLoop()
	n := 0
	var f func()
	f = func() {
		n++
		if n < b.N {
			l.CallSoon(f)
		} else {
			l.Stop()
		}
	}
	b.ReportAllocs()
	l.CallSoon(f)
	l.RunForever()
	l.Close()
}

func BenchmarkSmokeSpawn(b *testing.B) {
	b.ReportAllocs()
	Run(func(ctx context.Context) (int, error) {
		ts := make([]*Task[int], b.N)
		b.ResetTimer()
		for i := range ts {
			ts[i] = Spawn(ctx, func(ctx context.Context) (int, error) { Sleep(ctx, 0); return 0, nil })
		}
		for _, t := range ts {
			t.Wait(ctx)
		}
		return 0, nil
	})
}

func BenchmarkSmokeSwitch1000(b *testing.B) {
	Run(func(ctx context.Context) (int, error) {
		per := b.N/1000 + 1
		ts := make([]*Task[int], 1000)
		b.ResetTimer()
		for i := range ts {
			ts[i] = Spawn(ctx, func(ctx context.Context) (int, error) {
				for k := 0; k < per; k++ {
					Sleep(ctx, 0)
				}
				return 0, nil
			})
		}
		for _, t := range ts {
			t.Wait(ctx)
		}
		return 0, nil
	})
}
