//go:build unix

package asyncio

import (
	"errors"
	"math"
	"testing"
	"unsafe"
)

// An idle connection on the poller backend costs its fdTransport: the
// flow-control state shared with the other transports must not make it
// grow.
func TestFDTransportSize(t *testing.T) {
	const most = 128
	if got := unsafe.Sizeof(fdTransport{}); got > most {
		t.Errorf("unsafe.Sizeof(fdTransport{}) = %d, want at most %d", got, most)
	}
}

// writeLimits follows asyncio's set_write_buffer_limits, a negative mark
// standing for None, and caps the marks at 2 GiB.
func TestWriteLimits(t *testing.T) {
	for _, c := range []struct {
		high, low         int
		wantHigh, wantLow int32
		fails             bool
	}{
		{high: -1, low: -1, wantHigh: DefaultWriteHigh, wantLow: DefaultWriteLow},
		{high: 1000, low: -1, wantHigh: 1000, wantLow: 250},
		{high: -1, low: 100, wantHigh: 400, wantLow: 100},
		{high: 0, low: -1, wantHigh: 0, wantLow: 0},
		{high: 7, low: 7, wantHigh: 7, wantLow: 7},
		{high: 1 << 40, low: -1, wantHigh: math.MaxInt32, wantLow: math.MaxInt32},
		{high: -1, low: math.MaxInt, wantHigh: math.MaxInt32, wantLow: math.MaxInt32},
		{high: 100, low: 500, fails: true},
		{high: 0, low: 1, fails: true},
		{high: 3 << 30, low: 4 << 30, fails: true},
	} {
		h, l, err := writeLimits(c.high, c.low)
		switch {
		case c.fails:
			if !errors.Is(err, ErrWriteBufferLimits) {
				t.Errorf("writeLimits(%d, %d) = %d, %d, %v; want an error wrapping ErrWriteBufferLimits", c.high, c.low, h, l, err)
			}
		case err != nil || h != c.wantHigh || l != c.wantLow:
			t.Errorf("writeLimits(%d, %d) = %d, %d, %v; want %d, %d", c.high, c.low, h, l, err, c.wantHigh, c.wantLow)
		}
	}
}
