package asynciotest_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestVirtualTimeIsInstant(t *testing.T) {
	start := time.Now()
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		if loop.Time() != 0 {
			t.Errorf("virtual clock starts at %v", loop.Time())
		}
		if err := asyncio.Sleep(ctx, 24*time.Hour); err != nil {
			return err
		}
		if loop.Time() != 24*time.Hour {
			t.Errorf("after a day of sleep the clock reads %v", loop.Time())
		}
		return nil
	})
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("a virtual day took %v of real time", el)
	}
}

func TestAdvanceByHand(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		clock := asynciotest.Clock(ctx)
		clock.SetAutoJump(false)
		woke := asyncio.Spawn(ctx, func(ctx context.Context) (time.Duration, error) {
			err := asyncio.Sleep(ctx, time.Minute)
			return asyncio.RunningLoop(ctx).Time(), err
		})
		asyncio.Sleep(ctx, 0)
		go clock.Advance(time.Minute) // from another goroutine, as a test driver would
		at, err := woke.Wait(ctx)
		if err != nil || at != time.Minute {
			t.Fatalf("woke at %v, %v", at, err)
		}
		return nil
	})
}

func TestClockOfNonVirtualLoop(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		if asynciotest.Clock(ctx) != nil {
			t.Error("Clock of a real-clock loop should be nil")
		}
		if asynciotest.Clock(context.Background()) != nil {
			t.Error("Clock of a ctx of no loop should be nil")
		}
		return nil
	}, asyncio.WithClock(asyncio.NewRealClock()))
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	errors, fatals int
	messages       []string
	cleanups       []func()
}

func (r *recorder) Helper()             {}
func (r *recorder) Name() string        { return "recorder" }
func (r *recorder) Failed() bool        { return r.errors+r.fatals > 0 }
func (r *recorder) Cleanup(f func())    { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Logf(string, ...any) {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors++
	r.messages = append(r.messages, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals++
	r.messages = append(r.messages, fmt.Sprintf(format, args...))
	runtime.Goexit()
}

// runCleanups runs the cleanups, last registered first, as testing does.
func (r *recorder) runCleanups() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}

func runRecorded(body func(context.Context) error, opts ...asyncio.Option) *recorder {
	r := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		asynciotest.Run(r, body, opts...)
	}()
	<-done
	return r
}

func TestBodyErrorFailsTest(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error { return errors.New("bad") })
	if r.fatals != 1 {
		t.Fatalf("a body error gave %d fatal reports", r.fatals)
	}
}

func TestUnretrievedFailureFailsTest(t *testing.T) {
	r := runRecorded(func(ctx context.Context) error {
		asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return 0, errors.New("lost") })
		return asyncio.Sleep(ctx, 0)
	})
	if r.errors != 1 || r.fatals != 0 {
		t.Fatalf("errors %d, fatals %d; want 1 error for the lost failure", r.errors, r.fatals)
	}
}

// A test whose tasks all wait for something nothing can bring fails with
// a report instead of hanging.
func TestDeadlockIsReported(t *testing.T) {
	clock := asyncio.NewVirtualClock()
	clock.SetDeadlockTimeout(10 * time.Millisecond)
	r := runRecorded(func(ctx context.Context) error {
		never := asyncio.NewFuture[int](ctx)
		stuck := asyncio.Spawn(ctx, func(ctx context.Context) (int, error) { return never.Wait(ctx) }, asyncio.Name("stuck"))
		_, err := stuck.Wait(ctx)
		if !errors.Is(err, asyncio.ErrDeadlock) {
			return errors.New("main was not cancelled with ErrDeadlock")
		}
		return err
	}, asyncio.WithClock(clock))
	if r.errors < 1 || r.fatals != 1 {
		t.Fatalf("errors %d, fatals %d: want the deadlock report and the failed body", r.errors, r.fatals)
	}
}
