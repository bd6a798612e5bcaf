package asyncio

import (
	"context"
	"testing"
	"time"
)

// An Advance from another goroutine always wakes a loop waiting for a
// timer, even one that comes just as the loop is going to sleep: a lost
// wake-up there would leave the loop asleep with its timer due.
func TestAdvanceWakesLoopGoingToSleep(t *testing.T) {
	vc := NewVirtualClock()
	vc.SetAutoJump(false)
	// The window is a few instructions wide: before the loop looked at
	// the clock again once marked asleep, about one round in a hundred
	// thousand lost its wake-up.
	rounds := 200_000
	if raceEnabled {
		rounds = 20_000
	}
	sleeping := make(chan struct{}, 1)
	lost := make(chan int, 1)
	spin := 0
	go func() {
		for i := 0; i < rounds; {
			select {
			case <-sleeping:
			case <-time.After(10 * time.Second):
				// Only a bound: the loop slept through an Advance.
				// Wake it with another, so that the test ends.
				select {
				case lost <- i:
				default:
				}
				vc.Advance(time.Second)
				continue
			}
			// A varying head start, so that some Advance lands while
			// the loop is on its way to sleep.
			for j := 0; j < i%64*50; j++ {
				spin++
			}
			vc.Advance(time.Second)
			i++
		}
	}()
	_, err := Run(func(ctx context.Context) (struct{}, error) {
		l := RunningLoop(ctx)
		for range rounds {
			// The timer is set before the goroutine may advance the
			// clock past it.
			due := NewEvent()
			l.CallLater(time.Second, due.Set)
			sleeping <- struct{}{}
			if err := due.Wait(ctx); err != nil {
				return struct{}{}, err
			}
		}
		return struct{}{}, nil
	}, WithClock(vc))
	if err != nil {
		t.Fatal(err)
	}
	select {
	case i := <-lost:
		t.Errorf("round %d: the loop slept through an Advance", i)
	default:
	}
}
