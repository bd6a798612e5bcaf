package patterns_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/asyncio-go/asyncio/patterns"
)

func TestBackoffDelay(t *testing.T) {
	b := patterns.Backoff{Initial: time.Second, Max: 10 * time.Second, Multiplier: 3}
	want := []time.Duration{time.Second, 3 * time.Second, 9 * time.Second, 10 * time.Second, 10 * time.Second}
	for i, w := range want {
		if got := b.Delay(i + 1); got != w {
			t.Errorf("Delay(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := patterns.DefaultBackoff.Delay(1); got != 100*time.Millisecond {
		t.Errorf("DefaultBackoff.Delay(1) = %v", got)
	}
	b.Jitter, b.Rand = patterns.EqualJitter, rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		if d := b.Delay(2); d < 1500*time.Millisecond || d > 3*time.Second {
			t.Fatalf("equal jitter of 3s gave %v", d)
		}
	}
	b.Jitter = patterns.FullJitter
	for range 1000 {
		if d := b.Delay(2); d < 0 || d > 3*time.Second {
			t.Fatalf("full jitter of 3s gave %v", d)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("a multiplier below 1 did not panic")
		}
	}()
	patterns.Backoff{Initial: 1, Max: 2, Multiplier: 0.5}.Delay(1)
}

func TestIsPermanent(t *testing.T) {
	base := errors.New("disk full")
	wrapped := fmt.Errorf("saving: %w", patterns.Permanent(base))
	if !patterns.IsPermanent(wrapped) || patterns.IsPermanent(base) || patterns.IsPermanent(nil) {
		t.Errorf("IsPermanent is wrong")
	}
}
