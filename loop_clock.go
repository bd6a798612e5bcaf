package asyncio

import (
	"sync"
	"time"
)

// A Clock is the source of time of a Loop. Every sleep, timer and timeout
// of the loop reads it, and Loop.Time reports it.
//
// Now reports the time elapsed since the clock's epoch; it must never go
// backwards. It must be safe for concurrent use: Loop.Time may be called
// from any goroutine.
type Clock interface {
	Now() time.Duration
}

// RealClock is the monotonic wall clock; its epoch is the moment it was
// made. It is the default clock of a loop.
type RealClock struct {
	epoch time.Time
}

// NewRealClock returns a monotonic clock whose epoch is now.
func NewRealClock() *RealClock { return &RealClock{epoch: time.Now()} }

// Now returns the monotonic time elapsed since the clock was made.
func (c *RealClock) Now() time.Duration { return time.Since(c.epoch) }

// VirtualClock is a clock that moves only when told to, for tests and
// simulations. With auto-jump on (the default), a loop that has nothing to
// run, no I/O that could arrive and no work out on other goroutines (such as
// an executor's) moves the clock straight to its next timer instead of
// waiting, like trio's autojump clock and tokio's paused time: a test of
// timeouts and retries over hours of virtual time runs in microseconds and
// always the same way.
//
// A VirtualClock serves one loop at a time. Its methods are safe from any
// goroutine.
type VirtualClock struct {
	mu        sync.Mutex
	now       time.Duration
	noJump    bool
	deadlock  time.Duration
	onAdvance func() // wakes the loop using the clock
}

// NewVirtualClock returns a virtual clock at time zero with auto-jump on.
func NewVirtualClock() *VirtualClock { return &VirtualClock{} }

// Now returns the clock's current time.
func (c *VirtualClock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and wakes its loop, so timers that
// are now due run. A negative d panics: time never goes backwards.
func (c *VirtualClock) Advance(d time.Duration) {
	if d < 0 {
		panic("asyncio: VirtualClock.Advance with a negative duration")
	}
	c.mu.Lock()
	c.now += d
	wake := c.onAdvance
	c.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// SetAutoJump turns auto-jump on or off. With it off, only Advance moves
// the clock and an idle loop waits for it.
func (c *VirtualClock) SetAutoJump(on bool) {
	c.mu.Lock()
	c.noJump = !on
	wake := c.onAdvance
	c.mu.Unlock()
	if wake != nil {
		wake()
	}
}

// jumpTo moves the clock to t if auto-jump is on and t is in the future.
// It reports whether the loop may treat t as reached.
func (c *VirtualClock) jumpTo(t time.Duration) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.noJump {
		return false
	}
	if t > c.now {
		c.now = t
	}
	return true
}

// reached reports whether the loop need not sleep for a timer due at t:
// the clock is there already, or may jump there (auto-jump on, and no
// work out on other goroutines, which mayJump says).
func (c *VirtualClock) reached(t time.Duration, mayJump bool) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return t <= c.now || mayJump && !c.noJump
}

// SetDeadlockTimeout makes the loop treat itself as deadlocked when every
// task waits, no timer is left, no work is out on an executor, and no
// goroutine wakes it for d of real time: it then reports the tasks to its
// exception handler and cancels them with the cause ErrDeadlock. Zero, the
// default, turns this off. asynciotest.Run sets it, so that a test that
// would hang fails.
func (c *VirtualClock) SetDeadlockTimeout(d time.Duration) {
	c.mu.Lock()
	c.deadlock = d
	c.mu.Unlock()
}

func (c *VirtualClock) deadlockTimeout() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadlock
}

func (c *VirtualClock) attach(wake func()) {
	c.mu.Lock()
	c.onAdvance = wake
	c.mu.Unlock()
}
