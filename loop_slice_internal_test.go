package asyncio

import (
	"sync/atomic"
	"testing"
	"time"
)

// stepClock is a clock that is not virtual whose time moves only when
// told to.
type stepClock struct{ now atomic.Int64 }

func (c *stepClock) Now() time.Duration { return time.Duration(c.now.Load()) }

// iterations runs n callbacks, each taken to work 100 µs, the last of
// which stops the loop, after setup; it returns how many iterations ran.
func iterations(t *testing.T, n int, setup func(*Loop)) uint64 {
	t.Helper()
	clk := new(stepClock)
	l := NewLoop(WithClock(clk))
	defer l.Close()
	setup(l)
	for i := range n {
		l.CallSoon(func() {
			clk.now.Add(int64(100 * time.Microsecond))
			if i == n-1 {
				l.Stop()
			}
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	if len(l.batch) != 0 || len(l.due) != 0 {
		t.Errorf("%d items left in the batch, %d in due", len(l.batch), len(l.due))
	}
	return l.iter
}

// A long iteration with nothing due is not cut.
func TestLongIterationWithNothingDueIsWhole(t *testing.T) {
	if it := iterations(t, 1000, func(*Loop) {}); it != 1 {
		t.Errorf("1000 callbacks with nothing due ran in %d iterations, want 1", it)
	}
}

// A timer that came due before the iteration began, and so waits at the
// end of its batch, cuts it too, and runs before the items left.
func TestLongIterationLetsLateTimerIn(t *testing.T) {
	ran := 0
	it := iterations(t, 1000, func(l *Loop) {
		l.CallAt(0, func() { ran = len(l.batch) - l.carryFrom })
	})
	if it < 2 {
		t.Errorf("the iteration with a timer waiting at its end was not cut")
	}
	if ran < 500 {
		t.Errorf("the timer ran with %d items left to run; want it in the first half", ran)
	}
}
