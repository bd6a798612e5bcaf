package patterns_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/patterns"
)

// collect receives from s until it ends and returns the values and the
// error that ended it.
func collect(ctx context.Context, s *patterns.Subscription[int], pause time.Duration) ([]int, error) {
	var got []int
	for {
		v, err := s.Recv(ctx)
		if err != nil {
			return got, err
		}
		got = append(got, v)
		if pause > 0 {
			if err := asyncio.Sleep(ctx, pause); err != nil {
				return got, err
			}
		}
	}
}

// receiver starts a task that collects from s, pausing after each value.
func receiver(ctx context.Context, s *patterns.Subscription[int], pause time.Duration) *asyncio.Task[[]int] {
	return asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) {
		got, err := collect(ctx, s, pause)
		if errors.Is(err, patterns.ErrBroadcastClosed) {
			err = nil
		}
		return got, err
	})
}

func TestBroadcastEverySubscriberGetsEveryValue(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		r1 := receiver(ctx, b.Subscribe(2), 0)
		r2 := receiver(ctx, b.Subscribe(1), 0)
		if b.Subscribers() != 2 {
			t.Errorf("Subscribers = %d", b.Subscribers())
		}
		for i := range 10 {
			if err := b.Publish(ctx, i); err != nil {
				return err
			}
		}
		b.Close()
		want := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
		for _, r := range []*asyncio.Task[[]int]{r1, r2} {
			got, err := r.Wait(ctx)
			if err != nil || !slices.Equal(got, want) {
				t.Errorf("received %v, %v; want %v", got, err, want)
			}
		}
		if err := b.Publish(ctx, 10); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("Publish after Close: %v", err)
		}
		return nil
	})
}

// Under Block, the slowest subscriber sets the pace.
func TestBroadcastBlockBackpressure(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		fast := receiver(ctx, b.Subscribe(1), 0)
		slow := receiver(ctx, b.Subscribe(2), time.Second)
		var times []time.Duration
		for i := range 6 {
			if err := b.Publish(ctx, i); err != nil {
				return err
			}
			times = append(times, now(ctx))
		}
		b.Close()
		// The slow one takes a value at 0, 1s, 2s...; its buffer holds 2.
		want := []time.Duration{0, 0, 0, time.Second, 2 * time.Second, 3 * time.Second}
		if !slices.Equal(times, want) {
			t.Errorf("published at %v, want %v", times, want)
		}
		for _, r := range []*asyncio.Task[[]int]{fast, slow} {
			if got, err := r.Wait(ctx); err != nil || len(got) != 6 {
				t.Errorf("received %v, %v", got, err)
			}
		}
		return nil
	})
}

// Under Block, waiting publishers go in FIFO order, and a cancelled one
// delivers its value to nobody.
func TestBroadcastBlockFIFOAndAtomic(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		s1, s2 := b.Subscribe(1), b.Subscribe(1)
		b.Publish(ctx, 0) // both full now
		var pubs []*asyncio.Task[struct{}]
		for i := 1; i <= 3; i++ {
			pubs = append(pubs, spawn(ctx, fmt.Sprint("p", i), func(ctx context.Context) error { return b.Publish(ctx, i) }))
			settle(ctx)
		}
		if err := b.TryPublish(9); !errors.Is(err, patterns.ErrWouldBlock) {
			t.Errorf("TryPublish when full: %v", err)
		}
		// s1 has room now, s2 not: nobody publishes, not even partly.
		if v, _ := s1.Recv(ctx); v != 0 {
			t.Errorf("s1 got %d", v)
		}
		settle(ctx)
		if s1.Len() != 0 {
			t.Errorf("a value reached s1 alone")
		}
		pubs[1].Cancel()
		if _, err := pubs[1].Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled publisher: %v", err)
		}
		r1 := receiver(ctx, s1, 0)
		r2 := receiver(ctx, s2, 0)
		for _, p := range []*asyncio.Task[struct{}]{pubs[0], pubs[2]} {
			if _, err := p.Wait(ctx); err != nil {
				t.Errorf("publisher: %v", err)
			}
		}
		b.Close()
		got1, _ := r1.Wait(ctx)
		got2, _ := r2.Wait(ctx)
		if !slices.Equal(got1, []int{1, 3}) || !slices.Equal(got2, []int{0, 1, 3}) {
			t.Errorf("received %v and %v, want [1 3] and [0 1 3]", got1, got2)
		}
		return nil
	})
}

func TestBroadcastDropPolicies(t *testing.T) {
	for _, c := range []struct {
		policy  patterns.OverflowPolicy
		want    []int
		dropped uint64
		end     error
	}{
		{patterns.DropOldest, []int{7, 8, 9}, 7, patterns.ErrBroadcastClosed},
		{patterns.DropNewest, []int{0, 1, 2}, 7, patterns.ErrBroadcastClosed},
		{patterns.Disconnect, []int{0, 1, 2}, 0, patterns.ErrSlowSubscriber},
	} {
		t.Run(c.policy.String(), func(t *testing.T) {
			asynciotest.Run(t, func(ctx context.Context) error {
				b := patterns.NewBroadcast[int](c.policy)
				slow := b.Subscribe(3)
				fast := receiver(ctx, b.Subscribe(1), 0)
				for i := range 10 {
					if err := b.Publish(ctx, i); err != nil {
						return err
					}
					settle(ctx) // the fast one keeps up
				}
				b.Close()
				got, err := collect(ctx, slow, 0)
				if !slices.Equal(got, c.want) || !errors.Is(err, c.end) {
					t.Errorf("slow got %v then %v, want %v then %v", got, err, c.want, c.end)
				}
				if slow.Dropped() != c.dropped {
					t.Errorf("Dropped = %d, want %d", slow.Dropped(), c.dropped)
				}
				if got, err := fast.Wait(ctx); err != nil || len(got) != 10 {
					t.Errorf("fast got %v, %v", got, err)
				}
				return nil
			})
		})
	}
}

func TestBroadcastDisconnectLeaves(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Disconnect)
		s := b.Subscribe(1)
		b.Publish(ctx, 1)
		b.Publish(ctx, 2) // s is full: cut off
		if b.Subscribers() != 0 {
			t.Errorf("Subscribers = %d after the disconnect", b.Subscribers())
		}
		b.Publish(ctx, 3)
		if v, err := s.Recv(ctx); v != 1 || err != nil {
			t.Errorf("Recv = %d, %v; want the buffered 1", v, err)
		}
		if _, err := s.Recv(ctx); !errors.Is(err, patterns.ErrSlowSubscriber) {
			t.Errorf("Recv = %v, want ErrSlowSubscriber", err)
		}
		return nil
	})
}

// Close wakes receivers waiting on empty buffers and publishers waiting
// for room.
func TestBroadcastCloseWakesWaiters(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		empty := b.Subscribe(1)
		full := b.Subscribe(1)
		r := spawn(ctx, "r", func(ctx context.Context) error { _, err := empty.Recv(ctx); return err })
		settle(ctx)
		// empty's receiver takes 1; full keeps it; 2 waits for room.
		b.Publish(ctx, 1)
		p := spawn(ctx, "p", func(ctx context.Context) error { return b.Publish(ctx, 2) })
		settle(ctx)
		asyncio.Sleep(ctx, time.Second)
		r2 := spawn(ctx, "r2", func(ctx context.Context) error { _, err := empty.Recv(ctx); return err })
		settle(ctx)
		b.Close()
		b.Close() // idempotent
		if _, err := r.Wait(ctx); err != nil {
			t.Errorf("r: %v", err)
		}
		if _, err := r2.Wait(ctx); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("r2: %v, want ErrBroadcastClosed", err)
		}
		if _, err := p.Wait(ctx); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("publisher: %v, want ErrBroadcastClosed", err)
		}
		if v, err := full.Recv(ctx); v != 1 || err != nil {
			t.Errorf("full drains %d, %v", v, err)
		}
		if _, err := full.TryRecv(); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("TryRecv after the drain: %v", err)
		}
		if s := b.Subscribe(1); !errors.Is(func() error { _, err := s.Recv(ctx); return err }(), patterns.ErrBroadcastClosed) {
			t.Error("a subscription after Close is not ended")
		}
		return nil
	})
}

// Closing a subscription wakes its receivers and unblocks the publishers
// it held back.
func TestBroadcastSubscriptionClose(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		slow := b.Subscribe(1)
		other := b.Subscribe(5)
		b.Publish(ctx, 1)
		p := spawn(ctx, "p", func(ctx context.Context) error { return b.Publish(ctx, 2) })
		settle(ctx)
		slow.Close()
		slow.Close()
		if _, err := p.Wait(ctx); err != nil {
			t.Errorf("publisher: %v", err)
		}
		if _, err := slow.Recv(ctx); !errors.Is(err, patterns.ErrSubscriptionClosed) {
			t.Errorf("Recv after Close: %v", err)
		}
		if slow.Dropped() != 1 {
			t.Errorf("Dropped = %d, want the 1 left buffered", slow.Dropped())
		}
		if other.Len() != 2 || b.Subscribers() != 1 {
			t.Errorf("other holds %d, %d subscribers", other.Len(), b.Subscribers())
		}

		w := spawn(ctx, "w", func(ctx context.Context) error { _, err := other.Recv(ctx); return err })
		if _, err := w.Wait(ctx); err != nil {
			t.Errorf("other: %v", err)
		}
		return nil
	})
}

func TestBroadcastRecvCancellation(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		s := b.Subscribe(2)
		a := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return s.Recv(ctx) })
		c := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return s.Recv(ctx) })
		settle(ctx)
		// Cancelled while waiting: takes nothing.
		a.Cancel()
		if _, err := a.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("a: %v", err)
		}
		d := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return s.Recv(ctx) })
		settle(ctx)
		// Cancelled after a value was promised to it: the value goes to
		// the next receiver.
		b.Publish(ctx, 7)
		c.Cancel()
		if _, err := c.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("c: %v", err)
		}
		if v, err := d.Wait(ctx); v != 7 || err != nil {
			t.Errorf("d got %d, %v; want 7", v, err)
		}
		if s.Len() != 0 || s.Dropped() != 0 {
			t.Errorf("left %d, dropped %d", s.Len(), s.Dropped())
		}
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, err := s.Recv(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("Recv with a done ctx: %v", err)
		}
		if err := b.Publish(cctx, 1); !errors.Is(err, context.Canceled) || s.Len() != 0 {
			t.Errorf("Publish with a done ctx: %v", err)
		}
		b.Close()
		return nil
	})
}

func TestBroadcastAllAndTry(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[string](patterns.DropOldest)
		s := b.Subscribe(4)
		if _, err := s.TryRecv(); !errors.Is(err, patterns.ErrWouldBlock) {
			t.Errorf("TryRecv on empty: %v", err)
		}
		for _, v := range []string{"a", "b", "c"} {
			if err := b.TryPublish(v); err != nil {
				return err
			}
		}
		if v, err := s.TryRecv(); v != "a" || err != nil {
			t.Errorf("TryRecv = %q, %v", v, err)
		}
		b.Close()
		var got []string
		for v, err := range s.All(ctx) {
			if err != nil {
				return err
			}
			got = append(got, v)
		}
		if !slices.Equal(got, []string{"b", "c"}) {
			t.Errorf("All yielded %v", got)
		}
		if err := b.TryPublish("d"); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("TryPublish after Close: %v", err)
		}

		// All yields ErrSlowSubscriber, and ctx's error, then stops.
		b2 := patterns.NewBroadcast[string](patterns.Disconnect)
		s2 := b2.Subscribe(1)
		b2.Publish(ctx, "x")
		b2.Publish(ctx, "y")
		var errs []error
		for _, err := range s2.All(ctx) {
			errs = append(errs, err)
		}
		if len(errs) != 2 || errs[0] != nil || !errors.Is(errs[1], patterns.ErrSlowSubscriber) {
			t.Errorf("All on a cut-off subscription: %v", errs)
		}
		s3 := b2.Subscribe(1)
		err := asyncio.Timeout(ctx, time.Second, func(ctx context.Context) error {
			for _, err := range s3.All(ctx) {
				return err
			}
			return nil
		})
		if !errors.Is(err, asyncio.ErrTimeout) {
			t.Errorf("All under a timeout: %v", err)
		}
		return nil
	})
}

func TestBroadcastFromGoroutine(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		s := b.Subscribe(1)
		done := make(chan error, 1)
		go func() {
			for i := range 5 {
				if err := b.Publish(context.Background(), i); err != nil {
					done <- err
					return
				}
			}
			b.Close()
			done <- nil
		}()
		var got []int
		for {
			v, err := s.TryRecv()
			if errors.Is(err, patterns.ErrBroadcastClosed) {
				break
			}
			if err == nil {
				got = append(got, v)
			}
			asyncio.Sleep(ctx, 0)
		}
		if err := <-done; err != nil {
			t.Errorf("publisher: %v", err)
		}
		if !slices.Equal(got, []int{0, 1, 2, 3, 4}) {
			t.Errorf("got %v", got)
		}
		return nil
	})
}

func TestBroadcastMisuse(t *testing.T) {
	mustPanic(t, "unknown policy", func() { patterns.NewBroadcast[int](patterns.OverflowPolicy(9)) })
	mustPanic(t, "size 0", func() { patterns.NewBroadcast[int](patterns.Block).Subscribe(0) })
	if s := patterns.OverflowPolicy(9).String(); s != "OverflowPolicy(9)" {
		t.Errorf("String = %q", s)
	}
}

func ExampleBroadcast() {
	asyncio.Run(func(ctx context.Context) (struct{}, error) {
		prices := patterns.NewBroadcast[int](patterns.DropOldest)
		chart := prices.Subscribe(10)
		ticker := prices.Subscribe(1) // only ever needs the latest price
		for _, p := range []int{100, 101, 99, 102} {
			prices.Publish(ctx, p)
		}
		prices.Close()
		var all []int
		for v := range chart.All(ctx) {
			all = append(all, v)
		}
		fmt.Println(all)
		for v := range ticker.All(ctx) {
			fmt.Println("latest:", v, "dropped:", ticker.Dropped())
		}
		return struct{}{}, nil
	}, asyncio.WithClock(asyncio.NewVirtualClock()))
	// Output:
	// [100 101 99 102]
	// latest: 102 dropped: 3
}

// A publisher cancelled after it was given its turn passes the turn on;
// one whose broadcast closed before it resumed delivers nothing.
func TestBroadcastPublisherTurnHandOff(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		s := b.Subscribe(1)
		b.Publish(ctx, 0)
		p1 := spawn(ctx, "p1", func(ctx context.Context) error { return b.Publish(ctx, 1) })
		settle(ctx)
		p2 := spawn(ctx, "p2", func(ctx context.Context) error { return b.Publish(ctx, 2) })
		settle(ctx)
		if v, err := s.TryRecv(); v != 0 || err != nil { // room: p1's turn...
			t.Errorf("TryRecv = %d, %v", v, err)
		}
		p1.Cancel() // ...cancelled before it resumes
		if _, err := p1.Wait(ctx); !errors.Is(err, context.Canceled) {
			t.Errorf("p1: %v", err)
		}
		if _, err := p2.Wait(ctx); err != nil {
			t.Errorf("p2: %v", err)
		}
		p3 := spawn(ctx, "p3", func(ctx context.Context) error { return b.Publish(ctx, 3) })
		settle(ctx)
		if v, err := s.TryRecv(); v != 2 || err != nil { // room: p3's turn...
			t.Errorf("TryRecv = %d, %v; want p2's 2", v, err)
		}
		b.Close() // ...but the broadcast closes before it resumes
		if _, err := p3.Wait(ctx); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("p3: %v, want ErrBroadcastClosed", err)
		}
		if _, err := s.TryRecv(); !errors.Is(err, patterns.ErrBroadcastClosed) {
			t.Errorf("after Close: %v; want nothing from p3", err)
		}
		return nil
	})
}

// DropOldest drops the oldest value not yet promised to a receiver.
func TestBroadcastDropOldestSparesPromised(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.DropOldest)
		s := b.Subscribe(1)
		r := asyncio.Spawn(ctx, func(ctx context.Context) ([]int, error) { return collect(ctx, s, 0) })
		settle(ctx)
		for i := 1; i <= 3; i++ {
			b.Publish(ctx, i) // 1 is promised to r; 3 replaces 2
		}
		b.Close()
		got, err := r.Wait(ctx)
		if !slices.Equal(got, []int{1, 3}) || !errors.Is(err, patterns.ErrBroadcastClosed) || s.Dropped() != 1 {
			t.Errorf("got %v, %v, dropped %d; want [1 3], 1 dropped", got, err, s.Dropped())
		}
		return nil
	})
}

// A buffer keeps every value in order as it wraps around and grows:
// random publishes and receives checked against a plain slice.
func TestBroadcastBufferModel(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		b := patterns.NewBroadcast[int](patterns.Block)
		s := b.Subscribe(50)
		rng := rand.New(rand.NewPCG(3, 4))
		var model []int
		for i := range 2000 {
			if rng.IntN(2) == 0 && len(model) < 50 {
				if err := b.TryPublish(i); err != nil {
					return err
				}
				model = append(model, i)
				continue
			}
			v, err := s.TryRecv()
			if len(model) == 0 {
				if !errors.Is(err, patterns.ErrWouldBlock) {
					t.Fatalf("TryRecv on empty: %v", err)
				}
				continue
			}
			if err != nil || v != model[0] {
				t.Fatalf("TryRecv = %d, %v; want %d", v, err, model[0])
			}
			model = model[1:]
			if s.Len() != len(model) {
				t.Fatalf("Len = %d, want %d", s.Len(), len(model))
			}
		}
		b.Close()
		got, _ := collect(ctx, s, 0)
		if !slices.Equal(got, model) {
			t.Errorf("drained %v, want %v", got, model)
		}
		return nil
	})
}
