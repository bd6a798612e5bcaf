//go:build linux || darwin || freebsd || dragonfly

package asyncio_test

import (
	"slices"
	"testing"

	"github.com/asyncio-go/asyncio"
)

// A long iteration on a real clock lets a ready descriptor's callback run
// before the items it has not reached, in order.
func TestLongIterationLetsReaderIn(t *testing.T) {
	r, w := pipe(t)
	if _, err := w.Write([]byte{1}); err != nil {
		t.Fatal(err)
	}
	clk := new(workClock)
	l := asyncio.NewLoop(asyncio.WithClock(clk))
	defer l.Close()
	const n = 1000
	var order []int
	l.CallSoon(func() {
		err := l.AddReader(int(r.Fd()), func() {
			order = append(order, sliceTimer)
			l.RemoveReader(int(r.Fd()))
		})
		if err != nil {
			t.Error(err)
		}
	})
	for i := range n {
		l.CallSoon(func() {
			clk.work()
			order = append(order, i)
			if i == n-1 {
				l.Stop()
			}
		})
	}
	if err := l.RunForever(); err != nil {
		t.Fatal(err)
	}
	p := slices.Index(order, sliceTimer)
	if p <= 0 || p >= n-1 {
		t.Fatalf("the reader ran at position %d of %d; want it between the callbacks", p, len(order))
	}
	if rest := slices.Delete(slices.Clone(order), p, p+1); !slices.Equal(rest, fifo()[:n]) {
		t.Errorf("callbacks ran out of order around the reader")
	}
}
