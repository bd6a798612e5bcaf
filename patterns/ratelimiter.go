package patterns

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/asyncio-go/asyncio"
)

// ErrWrongLoop is returned by a wait of a pattern bound to a loop
// (RateLimiter) when given a ctx that belongs to no task of that loop.
var ErrWrongLoop = errors.New("patterns: ctx belongs to no task of the loop the pattern was made on")

// A RateLimiter lets through at most n events per period on average, with
// bursts of up to burst events: a token bucket on the loop's clock
// (aiolimiter's AsyncLimiter, golang.org/x/time/rate's Limiter). The
// bucket holds at most burst tokens, starts full, and gains n tokens per
// period, continuously: with n = 3 and a period of one second, a token
// every 333.33 ms. Wait takes a token, waiting until there is one.
//
// Time is counted in exact integer arithmetic: for callers that wait, the
// k-th token after an empty bucket arrives at exactly ceil(k·period/n) on
// the loop's clock, with no drift however long the limiter runs.
//
// Fairness: waiters get tokens in the order they began to wait, and a
// token is handed directly to the first waiter, so TryTake never takes a
// token a waiter is owed. A waiter that is cancelled consumes nothing:
// before its token arrives it just leaves the queue; after, it gives the
// token to the next waiter (or back to the bucket).
//
// A RateLimiter belongs to the loop of the ctx it was made with; call its
// methods from code running on that loop.
type RateLimiter struct {
	loop *asyncio.Loop

	mu sync.Mutex
	// The bucket in exact units: a token is worth unit credits, and the
	// bucket gains inc credits per nanosecond (period/n reduced).
	unit, inc int64
	capacity  int64 // burst tokens
	credit    int64
	last      time.Duration // loop time of the last refill
	taken     uint64
	waiters   waitQueue[struct{}]
	timer     *asyncio.TimerHandle
}

// A RateLimiterOption configures a RateLimiter.
type RateLimiterOption func(*rateConfig)

type rateConfig struct {
	burst      int
	initial    int
	initialSet bool
}

// RateBurst sets the number of tokens the bucket holds at most, which is the
// longest burst of events let through at once (default: n). burst < 1
// panics in NewRateLimiter.
func RateBurst(burst int) RateLimiterOption { return func(c *rateConfig) { c.burst = burst } }

// RateInitialTokens sets the number of tokens the bucket starts with
// (default: full). It is clipped to the burst; a negative count panics in
// NewRateLimiter.
func RateInitialTokens(n int) RateLimiterOption {
	return func(c *rateConfig) { c.initial, c.initialSet = n, true }
}

// NewRateLimiter returns a limiter of n events per period on the loop of ctx.
// n < 1 or period ≤ 0 panics, and so does a ctx that belongs to no task.
func NewRateLimiter(ctx context.Context, n int, period time.Duration, opts ...RateLimiterOption) *RateLimiter {
	if n < 1 || period <= 0 {
		panic(fmt.Sprintf("patterns: NewRateLimiter(%d, %v): need n ≥ 1 and period > 0", n, period))
	}
	cfg := rateConfig{burst: n}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.burst < 1 {
		panic(fmt.Sprintf("patterns: NewRateLimiter: burst of %d, need at least 1", cfg.burst))
	}
	if cfg.initialSet && cfg.initial < 0 {
		panic(fmt.Sprintf("patterns: NewRateLimiter: %d initial tokens", cfg.initial))
	}
	g := gcd(int64(n), int64(period))
	r := &RateLimiter{loop: loopOf(ctx, "NewRateLimiter"), unit: int64(period) / g, inc: int64(n) / g}
	if int64(cfg.burst) > (math.MaxInt64-r.inc)/r.unit {
		panic(fmt.Sprintf("patterns: NewRateLimiter: a burst of %d over %v is too large", cfg.burst, period))
	}
	r.capacity = int64(cfg.burst) * r.unit
	r.credit = r.capacity
	if cfg.initialSet {
		r.credit = int64(min(cfg.initial, cfg.burst)) * r.unit
	}
	r.last = r.loop.Time()
	return r
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// Wait takes a token, waiting until one arrives if the bucket is empty or
// others wait before the caller. It returns nil with the token, or ctx's
// error without it; with a ctx that is already done it fails at once.
// ctx must belong to a task of the limiter's loop (ErrWrongLoop otherwise).
func (r *RateLimiter) Wait(ctx context.Context) error {
	if asyncio.RunningLoop(ctx) != r.loop {
		return ErrWrongLoop
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ctxErr(ctx); err != nil {
		return err
	}
	r.refillLocked()
	if r.waiters.len() == 0 && r.credit >= r.unit {
		r.credit -= r.unit
		r.taken++
		return nil
	}
	e := r.waiters.push(ctx, nil)
	r.armLocked()
	_, handOn, err := r.waiters.wait(ctx, &r.mu, e)
	if err != nil {
		if handOn { // a token came with the cancellation: pass it on
			r.taken--
			r.refillLocked()
			r.credit += r.unit // serveLocked cuts any excess back
			r.serveLocked()
		} else if r.waiters.len() == 0 && r.timer != nil {
			r.timer.Cancel()
			r.timer = nil
		}
		return err
	}
	return nil
}

// TryTake takes a token if the bucket has one and nobody waits, and reports
// whether it did.
func (r *RateLimiter) TryTake() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refillLocked()
	if r.waiters.len() > 0 || r.credit < r.unit {
		return false
	}
	r.credit -= r.unit
	r.taken++
	return true
}

// Tokens returns the number of tokens in the bucket now, fractions
// included.
func (r *RateLimiter) Tokens() float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.refillLocked()
	return float64(r.credit) / float64(r.unit)
}

// Waiting returns the number of callers waiting in Wait.
func (r *RateLimiter) Waiting() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.waiters.len()
}

// Taken returns the number of tokens taken so far by Wait and TryTake.
func (r *RateLimiter) Taken() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.taken
}

// refillLocked adds the credit earned since the last refill. The bucket
// holds at most burst tokens, except while callers wait: then each token
// belongs to a waiter from the instant it is complete, and the timer that
// serves it fires on a whole nanosecond, or later if the loop was busy.
// Whatever was earned since that instant belongs to the next tokens, not
// to an overflowing bucket, so that tokens arrive on their exact schedule,
// with no drift; the excess is cut back to the burst once nobody waits.
func (r *RateLimiter) refillLocked() {
	now := r.loop.Time()
	if now <= r.last {
		return
	}
	elapsed := int64(now - r.last)
	r.last = now
	room := r.limitLocked() - r.credit
	if room <= 0 {
		return
	}
	if need := room/r.inc + min(room%r.inc, 1); elapsed >= need {
		r.credit += room
	} else {
		r.credit += elapsed * r.inc // < room: no overflow
	}
}

// limitLocked returns the most credit the bucket holds now: burst tokens,
// plus one for each waiter, who will take it at once (see refillLocked).
func (r *RateLimiter) limitLocked() int64 {
	n := int64(r.waiters.len())
	if n > (math.MaxInt64-r.capacity)/r.unit {
		return math.MaxInt64
	}
	return r.capacity + n*r.unit
}

// serveLocked hands tokens to the waiters, first come first served, and
// arms the timer for the next token if some still wait.
func (r *RateLimiter) serveLocked() {
	r.refillLocked()
	for r.waiters.len() > 0 && r.credit >= r.unit {
		r.credit -= r.unit
		r.taken++
		r.waiters.grant(struct{}{})
	}
	r.credit = min(r.credit, r.capacity)
	r.armLocked()
}

// armLocked makes sure a timer will fire when the bucket next holds a
// token, if anyone waits for it. One timer serves the whole queue: the time
// of the next token does not depend on who waits for it.
func (r *RateLimiter) armLocked() {
	if r.waiters.len() == 0 {
		if r.timer != nil {
			r.timer.Cancel()
			r.timer = nil
		}
		return
	}
	if r.timer != nil {
		return
	}
	need := r.unit - r.credit
	d := time.Duration((need + r.inc - 1) / r.inc)
	r.timer = r.loop.CallLater(d, r.onTimer)
}

func (r *RateLimiter) onTimer() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.timer = nil
	r.serveLocked()
}
