//go:build linux || darwin || freebsd || dragonfly

package asyncio_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
)

func pipe(t *testing.T) (r, w *os.File) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return r, w
}

// A reader callback runs when another goroutine writes; it runs again in
// each iteration while data is left (level-triggered).
func TestAddReader(t *testing.T) {
	r, w := pipe(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		got := asyncio.NewQueue[byte](0)
		err := loop.AddReader(int(r.Fd()), func() {
			var b [1]byte // one byte a call: the rest is reported again
			if n, _ := r.Read(b[:]); n == 1 {
				got.TryPut(b[0])
			}
		})
		if err != nil {
			return err
		}
		go w.Write([]byte("hey"))
		var s []byte
		for range 3 {
			b, err := got.Get(ctx)
			if err != nil {
				return err
			}
			s = append(s, b)
		}
		if string(s) != "hey" {
			t.Errorf("read %q", s)
		}
		if !loop.RemoveReader(int(r.Fd())) || loop.RemoveReader(int(r.Fd())) {
			t.Error("RemoveReader should report true once")
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestAddWriterAndRemove(t *testing.T) {
	_, w := pipe(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		calls := 0
		writable := asyncio.NewEvent()
		loop.AddWriter(int(w.Fd()), func() {
			calls++
			writable.Set()
		})
		if err := writable.Wait(ctx); err != nil {
			return err
		}
		loop.RemoveWriter(int(w.Fd()))
		before := calls
		asyncio.Sleep(ctx, 0)
		asyncio.Sleep(ctx, 0)
		if calls != before {
			t.Errorf("writer ran %d more times after RemoveWriter", calls-before)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// A watched descriptor that is not ready does not hold a virtual clock.
func TestWatchedDescriptorAndVirtualClock(t *testing.T) {
	r, _ := pipe(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		if err := loop.AddReader(int(r.Fd()), func() {}); err != nil {
			return err
		}
		defer loop.RemoveReader(int(r.Fd()))
		start := time.Now()
		if err := asyncio.Sleep(ctx, time.Hour); err != nil {
			return err
		}
		if loop.Time() != time.Hour || time.Since(start) > 5*time.Second {
			t.Errorf("virtual hour took %v, clock %v", time.Since(start), loop.Time())
		}
		return nil
	})
}

// Another goroutine wakes a loop that sleeps in its OS poller.
func TestThreadsafeWakesPollingLoop(t *testing.T) {
	r, _ := pipe(t)
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		loop.AddReader(int(r.Fd()), func() {})
		defer loop.RemoveReader(int(r.Fd()))
		f := asyncio.NewFuture[int](ctx)
		go func() { f.SetResult(9) }()
		if v, err := f.Wait(ctx); v != 9 || err != nil {
			t.Errorf("Wait = %v %v", v, err)
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

func TestAddReaderInvalid(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		if err := asyncio.RunningLoop(ctx).AddReader(-1, func() {}); err == nil {
			t.Error("AddReader(-1) succeeded")
		}
		return nil
	})
}
