package patterns

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// A Backoff computes the pauses of exponential backoff: the pause after
// the first failure is Initial, each later one Multiplier times the one
// before, up to Max, randomised as Jitter says. Retry pauses this way
// within one task; code that retries across processes (a job queue that
// redelivers a failed job later) asks Delay for the same pauses.
type Backoff struct {
	Initial    time.Duration
	Max        time.Duration
	Multiplier float64
	Jitter     Jitter
	// Rand is the source of the jitter's randomness (nil: math/rand/v2's
	// global source). A *rand.Rand is not safe for concurrent use.
	Rand *rand.Rand
}

// DefaultBackoff is Retry's backoff: 100 ms, doubling, up to 10 s, without
// jitter.
var DefaultBackoff = Backoff{Initial: 100 * time.Millisecond, Max: 10 * time.Second, Multiplier: 2}

// Delay returns the pause after the failures-th failure (from 1). It
// panics if Initial < 0, Max < Initial or Multiplier < 1.
func (b Backoff) Delay(failures int) time.Duration {
	if err := b.check(); err != nil {
		panic("patterns: Backoff.Delay: " + err.Error())
	}
	d := b.Initial
	for i := 1; i < failures && d < b.Max; i++ {
		n := float64(d) * b.Multiplier
		if n >= float64(b.Max) {
			d = b.Max
			break
		}
		d = time.Duration(n)
	}
	return b.jittered(d)
}

func (b Backoff) check() error {
	if b.Initial < 0 || b.Max < b.Initial || b.Multiplier < 1 || math.IsNaN(b.Multiplier) {
		return fmt.Errorf("backoff of %v up to %v by %v", b.Initial, b.Max, b.Multiplier)
	}
	return nil
}

// jittered returns the pause for a backoff delay of d.
func (b Backoff) jittered(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	switch b.Jitter {
	case FullJitter:
		return b.upTo(d)
	case EqualJitter:
		half := d / 2
		return half + b.upTo(d-half)
	}
	return d
}

// upTo returns a uniformly random duration in [0, d].
func (b Backoff) upTo(d time.Duration) time.Duration {
	n := int64(d)
	if n < math.MaxInt64 {
		n++
	}
	if b.Rand != nil {
		return time.Duration(b.Rand.Int64N(n))
	}
	return time.Duration(rand.Int64N(n))
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// Permanent: a failure another attempt cannot fix.
func IsPermanent(err error) bool {
	var perm *permanentError
	return errors.As(err, &perm)
}
