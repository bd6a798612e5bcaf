package main

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
	"github.com/asyncio-go/asyncio/asynciotest"
	"github.com/asyncio-go/asyncio/internal/leakcheck"
)

func TestMain(m *testing.M) { leakcheck.Main(m) }

func TestRun(t *testing.T) {
	var buf bytes.Buffer
	if err := run(&buf, asyncio.WithClock(asyncio.NewVirtualClock())); err != nil {
		t.Fatal(err)
	}
	const want = `Result of test
Took 1s of loop time
`
	if got := buf.String(); got != want {
		t.Errorf("output:\n%s\nwant:\n%s", got, want)
	}
}

// TestAsyncFunction is the seed's test. Where the seed asserts that the
// mocked sleep was awaited once with 1, this test asserts that exactly one
// second of loop time passed; the virtual clock makes that exact.
func TestAsyncFunction(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		got, err := asyncFunctionToTest(ctx, "test")
		if err != nil {
			return err
		}
		if want := "Result of test"; got != want {
			t.Errorf("asyncFunctionToTest = %q, want %q", got, want)
		}
		if elapsed := loop.Time() - start; elapsed != time.Second {
			t.Errorf("asyncFunctionToTest took %v of loop time, want 1s", elapsed)
		}
		return nil
	})
}

// TestHoursOfCalls makes calls one after the other for three hours of loop
// time, which pass in a moment of wall-clock time.
func TestHoursOfCalls(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		const calls = 3 * 60 * 60
		for range calls {
			if _, err := asyncFunctionToTest(ctx, "test"); err != nil {
				return err
			}
		}
		if elapsed, want := loop.Time()-start, calls*time.Second; elapsed != want {
			t.Errorf("%d calls took %v of loop time, want %v", calls, elapsed, want)
		}
		return nil
	})
}

// TestConcurrentCalls runs calls concurrently: together they take as long
// as one.
func TestConcurrentCalls(t *testing.T) {
	asynciotest.Run(t, func(ctx context.Context) error {
		loop := asyncio.RunningLoop(ctx)
		start := loop.Time()
		params := []string{"a", "b", "c"}
		fns := make([]func(context.Context) (string, error), len(params))
		for i, p := range params {
			fns[i] = func(ctx context.Context) (string, error) { return asyncFunctionToTest(ctx, p) }
		}
		got, err := asyncio.Gather(ctx, fns...)
		if err != nil {
			return err
		}
		for i, p := range params {
			if want := "Result of " + p; got[i] != want {
				t.Errorf("result %d = %q, want %q", i, got[i], want)
			}
		}
		if elapsed := loop.Time() - start; elapsed != time.Second {
			t.Errorf("%d concurrent calls took %v of loop time, want 1s", len(params), elapsed)
		}
		return nil
	})
}
