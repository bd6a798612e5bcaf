package asyncio_test

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio"
)

// A workClock is a clock that is not virtual, so a loop cuts long
// iterations on it as on the wall clock, but whose time moves only when
// the code running says it has worked: the cuts fall at the same items on
// every run.
type workClock struct{ now atomic.Int64 }

func (c *workClock) Now() time.Duration { return time.Duration(c.now.Load()) }

// work moves the clock by the time a callback is taken to have worked.
func (c *workClock) work() { c.now.Add(int64(100 * time.Microsecond)) }

const (
	sliceItems   = 10000 // callbacks ready at once
	sliceFollows = 10    // of which the first schedule a follow-up
	sliceTimer   = -1    // the timer's record
)

// sliceScenario runs on l sliceItems callbacks ready at once, each of which
// calls work and records its number; the first sliceFollows also schedule a
// follow-up, recorded as sliceItems+i. A timer due after 1 ms records
// sliceTimer. It returns the order of the records.
func sliceScenario(t *testing.T, l *asyncio.Loop, work func()) []int {
	t.Helper()
	var order []int
	record := func(x int) {
		order = append(order, x)
		if len(order) == sliceItems+sliceFollows+1 {
			l.Stop()
		}
	}
	l.CallLater(time.Millisecond, func() { record(sliceTimer) })
	for i := range sliceItems {
		l.CallSoon(func() {
			work()
			record(i)
			if i < sliceFollows {
				l.CallSoon(func() { record(sliceItems + i) })
			}
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	return order
}

// fifo returns the records asyncio's order gives, without the timer's.
func fifo() []int {
	var want []int
	for i := range sliceItems + sliceFollows {
		want = append(want, i)
	}
	return want
}

// A long iteration on a real clock lets a due timer run before the items
// it has not reached, and keeps FIFO order among the callbacks: those left
// over run before those scheduled while the iteration ran.
func TestLongIterationLetsDueTimerIn(t *testing.T) {
	clk := new(workClock)
	l := asyncio.NewLoop(asyncio.WithClock(clk))
	defer l.Close()
	order := sliceScenario(t, l, clk.work)
	p := slices.Index(order, sliceTimer)
	if p <= 0 || p >= sliceItems-1 {
		t.Fatalf("the timer ran at position %d of %d; want it after the first callback and before the last", p, len(order))
	}
	if p > 1000 {
		t.Errorf("the timer ran only after %d callbacks (%v of their work)", p, time.Duration(p)*100*time.Microsecond)
	}
	if rest := slices.Delete(slices.Clone(order), p, p+1); !slices.Equal(rest, fifo()) {
		t.Errorf("callbacks ran out of order around a cut iteration: %v...", rest[:min(len(rest), 40)])
	}
}

// On a VirtualClock no iteration is cut: the timer runs after everything
// that was ready before it came due, as in asyncio.
func TestVirtualClockNeverCutsIteration(t *testing.T) {
	vc := asyncio.NewVirtualClock()
	l := asyncio.NewLoop(asyncio.WithClock(vc))
	defer l.Close()
	order := sliceScenario(t, l, func() { vc.Advance(100 * time.Microsecond) })
	if want := append(fifo(), sliceTimer); !slices.Equal(order, want) {
		p := slices.Index(order, sliceTimer)
		t.Errorf("on a virtual clock the timer ran at position %d of %d, want last", p, len(order))
	}
}

// A task woken by a timer runs before the items a cut iteration left.
func TestLongIterationLetsSleeperIn(t *testing.T) {
	clk := new(workClock)
	var order []int
	_, err := asyncio.Run(func(ctx context.Context) (struct{}, error) {
		l := asyncio.RunningLoop(ctx)
		sleeper := asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
			err := asyncio.Sleep(ctx, time.Millisecond)
			order = append(order, sliceTimer)
			return struct{}{}, err
		})
		all := asyncio.NewEvent()
		for i := range sliceItems {
			l.CallSoon(func() {
				clk.work()
				order = append(order, i)
				if i == sliceItems-1 {
					all.Set()
				}
			})
		}
		if err := all.Wait(ctx); err != nil {
			return struct{}{}, err
		}
		_, err := sleeper.Wait(ctx)
		return struct{}{}, err
	}, asyncio.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	p := slices.Index(order, sliceTimer)
	if p <= 0 || p >= sliceItems-1 {
		t.Fatalf("the sleeper woke at position %d of %d; want it between the callbacks", p, len(order))
	}
	rest := slices.Delete(slices.Clone(order), p, p+1)
	if !slices.Equal(rest, fifo()[:sliceItems]) {
		t.Errorf("callbacks ran out of order around the sleeper")
	}
}

// Stop called in an iteration that has run long does not cut it short:
// the iteration runs all it began with, as in asyncio, and the due timer
// waits for the next run.
func TestStopInLongIterationRunsItAll(t *testing.T) {
	clk := new(workClock)
	l := asyncio.NewLoop(asyncio.WithClock(clk))
	defer l.Close()
	var order []int
	l.CallLater(time.Millisecond, func() { order = append(order, sliceTimer) })
	for i := range sliceItems {
		l.CallSoon(func() {
			clk.work()
			order = append(order, i)
			if i == 5 {
				l.Stop()
			}
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(order, fifo()[:sliceItems]) {
		t.Fatalf("after Stop the iteration ran %d callbacks (timer at %d), want all %d in order",
			len(order), slices.Index(order, sliceTimer), sliceItems)
	}
}

// carryScenario leaves items carried over when a run ends: the main task,
// woken by a timer at the start of a cut iteration, returns, and a second
// timer cuts that iteration too. What it leaves are the callbacks not yet
// run (their records in ran) and the first steps of tasks (in started).
func carryScenario(t *testing.T) (r *asyncio.Runner, ran, started *[]int, tasks []*asyncio.Task[struct{}]) {
	t.Helper()
	clk := new(workClock)
	r = asyncio.NewRunner(asyncio.WithClock(clk))
	ran, started = new([]int), new([]int)
	const n = 1000
	err := r.Run(func(ctx context.Context) error {
		l := asyncio.RunningLoop(ctx)
		l.CallLater(5*time.Millisecond, func() { *ran = append(*ran, sliceTimer) })
		for i := range n {
			l.CallSoon(func() {
				clk.work()
				*ran = append(*ran, i)
			})
		}
		for i := range 10 {
			tasks = append(tasks, asyncio.Spawn(ctx, func(ctx context.Context) (struct{}, error) {
				*started = append(*started, i)
				return struct{}{}, nil
			}))
		}
		return asyncio.Sleep(ctx, time.Millisecond)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(*ran) == 0 || len(*ran) >= n || len(*started) > 0 {
		t.Fatalf("the run ended after %d of %d callbacks and %d task steps; want some callbacks and no task left over",
			len(*ran), n, len(*started))
	}
	if !slices.Equal(*ran, fifo()[:len(*ran)]) {
		t.Fatalf("callbacks ran out of order: %v", *ran)
	}
	return r, ran, started, tasks
}

// Items carried over when a run ends run first in the next run, in order,
// after the due timer.
func TestCarriedItemsRunInNextRun(t *testing.T) {
	r, ran, started, _ := carryScenario(t)
	defer r.Close()
	before := len(*ran)
	if err := r.Run(func(ctx context.Context) error { return nil }); err != nil {
		t.Fatal(err)
	}
	want := append(append(fifo()[:before], sliceTimer), fifo()[before:1000]...)
	if !slices.Equal(*ran, want) {
		t.Errorf("the next run ran %v...; want the timer, then the callbacks left from %d on", (*ran)[before:min(len(*ran), before+5)], before)
	}
	if !slices.Equal(*started, fifo()[:10]) {
		t.Errorf("the tasks left over started in the order %v", *started)
	}
}

// Close drops the callbacks carried over, as it drops queued ones, and
// unwinds the tasks whose first steps were carried: they never start.
func TestCloseWithCarriedItems(t *testing.T) {
	r, ran, started, tasks := carryScenario(t)
	before := len(*ran)
	if err := r.Loop().Close(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	if len(*ran) != before || len(*started) != 0 {
		t.Errorf("Close ran %d carried callbacks and started %d tasks", len(*ran)-before, len(*started))
	}
	for i, task := range tasks {
		if !task.Done() {
			t.Errorf("task %d is not done after Close", i)
		}
	}
}

// A callback that panics in an iteration that is cut is reported, and
// every other item runs once, in order.
func TestPanicInCutIteration(t *testing.T) {
	clk := new(workClock)
	var panics []string
	l := asyncio.NewLoop(asyncio.WithClock(clk), asyncio.WithExceptionHandler(func(c asyncio.ExceptionContext) {
		panics = append(panics, fmt.Sprint(c.Err))
	}))
	defer l.Close()
	bad := map[int]bool{10: true, 31: true, 32: true, 33: true, 70: true}
	var got []int
	l.CallLater(time.Millisecond, func() { got = append(got, sliceTimer) })
	for i := range 200 {
		l.CallSoon(func() {
			clk.work()
			if bad[i] {
				panic(fmt.Sprint("bad ", i))
			}
			got = append(got, i)
			if i == 199 {
				l.Stop()
			}
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if len(panics) != len(bad) {
		t.Errorf("%d panics reported, want %d: %v", len(panics), len(bad), panics)
	}
	p := slices.Index(got, sliceTimer)
	if p <= 0 {
		t.Fatalf("the timer did not run within the callbacks: %v", got)
	}
	var want []int
	for i := range 200 {
		if !bad[i] {
			want = append(want, i)
		}
	}
	if rest := slices.Delete(slices.Clone(got), p, p+1); !slices.Equal(rest, want) {
		t.Errorf("callbacks ran %v, want each good one once in order", rest)
	}
}

// An iteration cut again and again, by a timer that keeps coming due,
// keeps FIFO order over the whole run: the callbacks, then the follow-ups
// they scheduled, as asyncio runs them, with the timer in between.
func TestRepeatedCutsKeepOrder(t *testing.T) {
	clk := new(workClock)
	l := asyncio.NewLoop(asyncio.WithClock(clk))
	defer l.Close()
	var order []int
	done := false
	var tick func()
	tick = func() {
		order = append(order, sliceTimer)
		if !done {
			l.CallLater(time.Millisecond, tick)
		}
	}
	l.CallLater(time.Millisecond, tick)
	for i := range sliceItems {
		l.CallSoon(func() {
			clk.work()
			order = append(order, i)
			l.CallSoon(func() {
				clk.work()
				order = append(order, sliceItems+i)
				if i == sliceItems-1 {
					done = true
					l.Stop()
				}
			})
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	ticks := 0
	var rest []int
	for _, x := range order {
		if x == sliceTimer {
			ticks++
		} else {
			rest = append(rest, x)
		}
	}
	want := make([]int, 2*sliceItems)
	for i := range want {
		want[i] = i
	}
	if !slices.Equal(rest, want) {
		i := 0
		for i < min(len(rest), len(want)) && rest[i] == want[i] {
			i++
		}
		t.Errorf("callbacks ran out of order from record %d: %v", i, rest[i:min(len(rest), i+10)])
	}
	// 2 s of work cut every 2 ms or so lets the timer in hundreds of times.
	if ticks < 100 {
		t.Errorf("the timer ran %d times in 2 s of work", ticks)
	}
}
