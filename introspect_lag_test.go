package asyncio

import (
	"slices"
	"testing"
	"time"
)

// TestLagRecorder: timers are counted in their buckets, and each second's
// worst lag is kept, the current second included.
func TestLagRecorder(t *testing.T) {
	var r lagRecorder
	ms := time.Millisecond
	for _, it := range []struct {
		now  time.Duration
		lags []time.Duration
	}{
		{500 * ms, []time.Duration{10 * time.Microsecond, 3 * ms}},
		{700 * ms, []time.Duration{40 * ms}},
		{1200 * ms, []time.Duration{2 * time.Second}},
		{5000 * ms, []time.Duration{0}},
	} {
		worst := time.Duration(0)
		for _, d := range it.lags {
			r.add(d)
			worst = max(worst, d)
		}
		r.iteration(it.now, worst, len(it.lags))
	}
	s := r.stats()
	if s.Count != 5 || s.Max != 2*time.Second {
		t.Errorf("count %d max %v, want 5 and 2s", s.Count, s.Max)
	}
	want := []LagSample{{0, 40 * ms, 3}, {time.Second, 2 * time.Second, 1}, {5 * time.Second, 0, 1}}
	if !slices.Equal(s.Recent, want) {
		t.Errorf("recent %+v, want %+v", s.Recent, want)
	}
	counts := map[time.Duration]uint64{}
	for _, b := range s.Buckets {
		counts[b.UpTo] = b.Count
	}
	if counts[50*time.Microsecond] != 2 || counts[5*ms] != 1 || counts[50*ms] != 1 || counts[0] != 1 {
		t.Errorf("buckets %+v", s.Buckets)
	}
}
